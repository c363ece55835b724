using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>An escalation reaches the responder's duty side, with its duty desk from the registry, not only the submitter.</summary>
public sealed class DutyNoticeTests : IAsyncLifetime
{
    private readonly ClockedHub _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.StartAsync();
        await _hub.Hub.Services.GetRequiredService<DeadlineTracker>().Armed;
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task StopPaymentNearingItsDeadline_TheBanksDutyDeskIsTold_OnStreamsThatAskedOnly()
    {
        var submitted = await _hub.As("police-shenzhen").Exchange.SubmitAsync(
            Requests.StopPayment("bank-alpha", "6222000000009001", 8_000_00, Priority.Critical));
        var options = new CallOptions().WithTimeout(TimeSpan.FromSeconds(30));
        using var duty = _hub.As("bank-alpha").Inbox.Subscribe(new SubscribeRequest { DutyNotices = true, MaxInFlight = 8 }, options);
        // The work item comes first; the bank leaves it unanswered.
        Assert.True(await duty.ResponseStream.MoveNext());
        Assert.Equal(submitted.ExchangeId, duty.ResponseStream.Current.ExchangeId);
        Assert.Null(duty.ResponseStream.Current.DutyNotice);
        // A second stream of the same bank that did not ask for notices: read in the background to the end.
        using var stopPlain = new CancellationTokenSource();
        using var plain = _hub.As("bank-alpha").Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 8 }, new CallOptions(cancellationToken: stopPlain.Token));
        var plainItems = new List<InboxItem>();
        var plainRead = Task.Run(async () =>
        {
            try
            {
                while (await plain.ResponseStream.MoveNext())
                {
                    plainItems.Add(plain.ResponseStream.Current);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // Ended by the test.
            }
        });

        var streams = _hub.Hub.Services.GetRequiredService<PartnerStreams>();
        for (var look = 0; look < 200 && streams.Count < 2; look++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(2, streams.Count);
        _hub.Clock.Advance(TimeSpan.FromMinutes(8));
        var approaching = await NextNotice(duty);
        Assert.Equal(EscalationLevel.DeadlineApproaching, approaching.Level);
        Assert.Equal(submitted.ExchangeId, approaching.ExchangeId);
        Assert.Equal("stop_payment", approaching.RequestKind);
        Assert.Equal(Priority.Critical, approaching.Priority);
        Assert.Equal("police-shenzhen", approaching.Submitter.Id);
        // The roster's line for stop-payments, whatever the hour (config/partners.json).
        Assert.Equal("Alpha fraud duty desk (24 h), +86 755 8300 0110", approaching.DutyContact);

        _hub.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(EscalationLevel.DeadlinePassed, (await NextNotice(duty)).Level);

        // Each delivery is in the audit log; the stream that did not ask got none.
        for (var look = 0; look < 100 && _hub.Audit.Events.Count(e => e.Detail.StartsWith("duty notice", StringComparison.Ordinal)) < 2; look++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, _hub.Audit.Events.Count(e => e.Kind == AuditEventKind.Escalated && e.Detail.StartsWith("duty notice", StringComparison.Ordinal)
            && e.ExchangeId == submitted.ExchangeId && e.Subject?.Id == "bank-alpha"));
        await stopPlain.CancelAsync();
        await plainRead;
        Assert.DoesNotContain(plainItems, i => i.DutyNotice is not null);
    }

    [Fact]
    public void Roster_FirstLineThatCoversTheKindAndTheHour_WrapsPastMidnight()
    {
        var registry = _hub.Hub.Services.GetRequiredService<PartnerRegistry>();
        Assert.True(registry.TryGet("bank-alpha", out var alpha));
        // 10:00 and 22:00 in Beijing (02:00 and 14:00 UTC).
        var morning = new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero);
        var night = new DateTimeOffset(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);
        Assert.StartsWith("Alpha fraud duty desk", DutyContact.InForce(alpha.Duty, Request.KindOneofCase.Freeze, night)!.Contact);
        Assert.StartsWith("Alpha legal enquiries desk", DutyContact.InForce(alpha.Duty, Request.KindOneofCase.AccountQuery, morning)!.Contact);
        Assert.StartsWith("Alpha operations on call", DutyContact.InForce(alpha.Duty, Request.KindOneofCase.AccountQuery, night)!.Contact);
        var overnight = new DutyContact(new HashSet<Request.KindOneofCase>(), new TimeOnly(20, 0), new TimeOnly(8, 0), "night desk");
        Assert.True(overnight.Covers(Request.KindOneofCase.Freeze, night));
        Assert.False(overnight.Covers(Request.KindOneofCase.Freeze, morning));
    }

    private static async Task<DutyNotice> NextNotice(AsyncServerStreamingCall<InboxItem> stream)
    {
        while (await stream.ResponseStream.MoveNext())
        {
            if (stream.ResponseStream.Current.DutyNotice is { } notice)
            {
                return notice;
            }
        }

        throw new InvalidOperationException("the stream ended without a duty notice");
    }
}
