using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.WebConsole;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Tests.Figures;

/// <summary>The plan's targets on hand-built fixtures whose answers are known, refusals included.</summary>
public sealed class TargetFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static ExchangeRecord Hold(Request.KindOneofCase kind, int minute, ExchangeState state, int? answeredAfterMinutes, HoldStatus status = HoldStatus.Executed)
    {
        var submitted = T0.AddMinutes(minute);
        var hold = new HoldResult { Status = status, AmountHeld = new Money { Currency = "CNY", MinorUnits = status == HoldStatus.Executed ? 100_00 : 0 } };
        var record = new ExchangeRecord
        {
            ExchangeId = $"ex-{kind}-{minute}", State = state, SubmittedAt = Timestamp.FromDateTimeOffset(submitted),
            Request = kind == Request.KindOneofCase.Freeze ? new Request { Freeze = new FreezeNotice() } : new Request { StopPayment = new StopPaymentNotice() },
        };
        if (state == ExchangeState.Answered)
        {
            record.AnsweredAt = Timestamp.FromDateTimeOffset(submitted.AddMinutes(answeredAfterMinutes!.Value));
            record.Result = kind == Request.KindOneofCase.Freeze ? new Result { Freeze = hold } : new Result { StopPayment = hold };
        }

        return record;
    }

    [Fact]
    public void StopPaymentsInTheGoldenTenMinutes_CountHoldsOnly_RefusalsInNeither()
    {
        ExchangeRecord[] records =
        [
            Hold(Request.KindOneofCase.StopPayment, 0, ExchangeState.Answered, 8),                               // on time
            Hold(Request.KindOneofCase.StopPayment, 1, ExchangeState.Answered, 25),                              // late
            Hold(Request.KindOneofCase.StopPayment, 2, ExchangeState.Answered, 3, HoldStatus.AccountNotFound),   // answered fast, held nothing
            Hold(Request.KindOneofCase.StopPayment, 3, ExchangeState.Expired, null),                             // missed
            Hold(Request.KindOneofCase.StopPayment, 4, ExchangeState.Rejected, null),                            // refused: in neither
            Hold(Request.KindOneofCase.StopPayment, 5, ExchangeState.Cancelled, null),                           // withdrawn: in neither
            Hold(Request.KindOneofCase.Freeze, 6, ExchangeState.Answered, 1),                                    // another kind
        ];

        var figure = TargetsCalculator.OnTime(TargetsCalculator.StopOnTime, "2026 Q4", records, Request.KindOneofCase.StopPayment,
            TimeSpan.FromMinutes(10), T0.AddDays(1));

        Assert.Equal(1, figure.Numerator);
        Assert.Equal(4, figure.Denominator);
        Assert.Equal(0.25, figure.Value);
        Assert.Equal(0.95, figure.Goal);
    }

    [Fact]
    public void AnOpenFreeze_IsDueOnlyOnceItsTwoHoursHavePassed()
    {
        var open = Hold(Request.KindOneofCase.Freeze, 0, ExchangeState.Acknowledged, null);
        Assert.Equal(0, TargetsCalculator.OnTime(TargetsCalculator.FreezeOnTime, "q", [open], Request.KindOneofCase.Freeze, TimeSpan.FromHours(2), T0.AddMinutes(90)).Denominator);
        Assert.Equal(1, TargetsCalculator.OnTime(TargetsCalculator.FreezeOnTime, "q", [open], Request.KindOneofCase.Freeze, TimeSpan.FromHours(2), T0.AddMinutes(121)).Denominator);
    }

    [Fact]
    public void Quarters_AreCalendarQuartersInChinaStandardTime()
    {
        // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Beijing: the first quarter of 2027.
        var now = new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.Zero);
        Assert.Equal("2027 Q1", TargetsCalculator.Label(TargetsCalculator.QuarterStart(now, 0)));
        Assert.Equal("2026 Q4", TargetsCalculator.Label(TargetsCalculator.QuarterStart(now, 1)));
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.FromHours(8)), TargetsCalculator.QuarterStart(now, 1));
    }
}
