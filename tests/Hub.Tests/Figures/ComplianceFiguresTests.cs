using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Compliance;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Tests.Figures;

/// <summary>The responders' compliance figures on fixtures whose answers are known by hand.</summary>
public sealed class ComplianceFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly PartnerRef Bank = new() { Kind = PartnerKind.Bank, Id = "bank-alpha" };

    /// <summary>A freeze submitted at T0 + <paramref name="at"/> minutes with a two-hour deadline, ending in <paramref name="state"/>
    /// after <paramref name="took"/> minutes.</summary>
    private static ExchangeRecord Freeze(int at, ExchangeState state, int took)
    {
        var submitted = T0.AddMinutes(at);
        var record = new ExchangeRecord
        {
            ExchangeId = $"ex-{at}", To = Bank, State = state, SubmittedAt = Timestamp.FromDateTimeOffset(submitted),
            Deadline = Timestamp.FromDateTimeOffset(submitted.AddHours(2)),
        };
        var ended = Timestamp.FromDateTimeOffset(submitted.AddMinutes(took));
        switch (state)
        {
            case ExchangeState.Answered:
                record.AnsweredAt = ended;
                break;
            case ExchangeState.Rejected:
                record.RejectedAt = ended;
                record.StateReason = "not our customer";
                break;
            case ExchangeState.Expired:
                record.ExpiredAt = Timestamp.FromDateTimeOffset(submitted.AddHours(2));
                break;
        }

        return record;
    }

    [Fact]
    public void FastRefusals_DoNotRaiseTheOnTimeRate_AndAreReportedApart()
    {
        // One freeze answered in 30 minutes, one answered after 3 hours (late), one expired unanswered, and three refused within a minute.
        ExchangeRecord[] records =
        [
            Freeze(0, ExchangeState.Answered, 30), Freeze(1, ExchangeState.Answered, 180), Freeze(2, ExchangeState.Expired, 0),
            Freeze(3, ExchangeState.Rejected, 1), Freeze(4, ExchangeState.Rejected, 1), Freeze(5, ExchangeState.Rejected, 1),
        ];

        var figures = ComplianceCalculator.For(Bank, records, T0.AddDays(1));

        Assert.Equal(2ul, figures.Answered);
        Assert.Equal(1ul, figures.AnsweredOnTime);
        // On time: 1 of the 3 that were due an answer (2 answered + 1 expired); the refusals count in neither.
        Assert.Equal(1.0 / 3, figures.OnTimeRate, 9);
        Assert.Equal(3ul, figures.Rejected);
        Assert.Equal(3.0 / 6, figures.RefusalRate, 9);
        Assert.Equal(1ul, figures.Expired);
        // The answer times are of answers only: 30 and 180 minutes.
        Assert.Equal(TimeSpan.FromMinutes(30), figures.MedianTimeToAnswer.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(180), figures.P95TimeToAnswer.ToTimeSpan());
    }

    [Fact]
    public void OnlyRefusals_GiveNoOnTimeFigureToBoast_AndAFullRefusalRate()
    {
        var figures = ComplianceCalculator.For(Bank, [Freeze(0, ExchangeState.Rejected, 1), Freeze(1, ExchangeState.Rejected, 1)], T0.AddDays(1));
        Assert.Equal(0ul, figures.Answered);
        Assert.Equal(2ul, figures.Rejected);
        Assert.Equal(1.0, figures.RefusalRate, 9);
    }
}
