using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>The hub's clock is a manual one: the test moves time, the hub escalates.</summary>
public abstract class DeadlineTests : IAsyncLifetime
{
    protected virtual string[] StoreSettings => [];

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RecordingAuditSink _audit = new();
    private readonly HubFixture _hub = new();
    private Partner _police = null!;
    private Partner _bank = null!;

    public async Task InitializeAsync()
    {
        await _hub.StartAsync(HubFixture.Build(s =>
        {
            s.AddSingleton<TimeProvider>(_clock);
            s.AddSingleton<IAuditSink>(_audit);
        }, StoreSettings));
        await _hub.Services.GetRequiredService<DeadlineTracker>().Armed;
        _police = new Partner(_hub, "police-shenzhen");
        _bank = new Partner(_hub, "bank-alpha");
    }

    public virtual async Task DisposeAsync()
    {
        _police.Dispose();
        _bank.Dispose();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task StopPayment_Unanswered_EscalatesAsTheDeadlineNears_ThenExpires()
    {
        var submitted = await _police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222000000003001", 8_000_00, Priority.Critical));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10), submitted.Deadline.ToDateTimeOffset());
        using var watch = _police.Exchange.Watch(new WatchRequest { ExchangeId = submitted.ExchangeId }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
        Assert.True(await watch.ResponseStream.MoveNext());

        _clock.Advance(TimeSpan.FromMinutes(8));
        var approaching = await NextEscalation(watch);
        Assert.Equal(EscalationLevel.DeadlineApproaching, approaching.Escalation.Level);
        Assert.Equal(TimeSpan.FromMinutes(2), approaching.Escalation.Remaining.ToTimeSpan());

        _clock.Advance(TimeSpan.FromMinutes(3));
        var passed = await NextEscalation(watch);
        Assert.Equal(EscalationLevel.DeadlinePassed, passed.Escalation.Level);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ExchangeState.Expired, watch.ResponseStream.Current.Transition.To);

        // The watcher hears of an escalation as it is committed; its audit entry follows.
        await WaitFor(() => Task.FromResult(_audit.Events.Any(e => e.Kind == AuditEventKind.Escalated && e.ExchangeId == submitted.ExchangeId)
            && _audit.Events.Any(e => e.Kind == AuditEventKind.Expired && e.ExchangeId == submitted.ExchangeId)));

        // Moving on does not fire anything twice.
        _clock.Advance(TimeSpan.FromHours(1));
        var record = await _police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId });
        Assert.Equal(ExchangeState.Expired, record.State);
        Assert.Single(_audit.Events, e => e.Kind == AuditEventKind.Expired && e.ExchangeId == submitted.ExchangeId);
    }

    [Fact]
    public async Task Compliance_OnTimeAndLateAnswers_AreCountedPerBank()
    {
        var onTime = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000003002", 100_00, caseRef: Requests.Case("SZ-COMP")));
        var late = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000003003", 100_00, caseRef: Requests.Case("SZ-COMP")));
        var open = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000003004", 100_00, caseRef: Requests.Case("SZ-COMP")));

        _clock.Advance(TimeSpan.FromMinutes(5));
        await _bank.Inbox.AckAsync(new AckRequest { ExchangeId = onTime.ExchangeId });
        _clock.Advance(TimeSpan.FromMinutes(25));
        await _bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = onTime.ExchangeId, Result = Requests.Executed(100_00) });

        _clock.Advance(TimeSpan.FromHours(3));
        await WaitFor(async () => (await _police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = late.ExchangeId })).State == ExchangeState.Expired);
        await _bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = late.ExchangeId, Result = Requests.Executed(100_00) });

        var report = await _police.Operations.GetComplianceAsync(new GetComplianceRequest { PartnerId = "bank-alpha" });
        var bank = Assert.Single(report.Partners);
        Assert.Equal(2ul, bank.Answered);
        Assert.Equal(1ul, bank.AnsweredOnTime);
        // The third exchange expired unanswered too: one of three was on time.
        Assert.Equal(1.0 / 3, bank.OnTimeRate, 6);
        Assert.Equal(TimeSpan.FromMinutes(5), bank.MedianTimeToAck.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(30), bank.MedianTimeToAnswer.ToTimeSpan());
        Assert.Equal(1ul, bank.OpenOverdue);
        Assert.Equal(1ul, bank.Open);
        Assert.Equal(1ul, bank.Expired);
        Assert.Equal(ExchangeState.Expired, (await _police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = open.ExchangeId })).State);
    }

    private static async Task<WatchEvent> NextEscalation(AsyncServerStreamingCall<WatchEvent> watch)
    {
        while (await watch.ResponseStream.MoveNext())
        {
            if (watch.ResponseStream.Current.EventCase == WatchEvent.EventOneofCase.Escalation)
            {
                return watch.ResponseStream.Current;
            }
        }

        throw new InvalidOperationException("watch ended without an escalation");
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not met in 5 s");
    }
}

public sealed class DeadlineTestsOnSqlite : DeadlineTests;

public sealed class DeadlineTestsOnRedis : DeadlineTests
{
    private readonly RedisServer _redis = RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _redis.Dispose();
    }
}
