using AntiFraud.Exchange.Protocol.Clients;
using System.Diagnostics;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Transparency;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Replicas;

/// <summary>Replicas "a" and "b" on one private redis-server, each in-process on its own port.</summary>
internal sealed class ReplicaPair
{
    private readonly RedisServer _redis = RedisServer.Start();

    /// <summary>The redis-server both replicas use (tests may kill and restart it).</summary>
    public RedisServer Redis => _redis;

    public HubFixture A { get; } = new();

    public HubFixture B { get; } = new();

    /// <summary>Starts both; <paramref name="services"/> may add per-replica services (a clock, an audit sink).</summary>
    public async Task StartAsync(Func<string, Action<IServiceCollection>?> services)
    {
        await A.StartAsync(HubFixture.Build(services("a"), [.. _redis.HubSettings, "--Hub:ReplicaId=a"]));
        await B.StartAsync(HubFixture.Build(services("b"), [.. _redis.HubSettings, "--Hub:ReplicaId=b"]));
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        _redis.Dispose();
    }
}

/// <summary>Two hub replicas on one private redis-server: partners on either see one hub.</summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private readonly ReplicaPair _pair = new();

    private HubFixture A => _pair.A;

    private HubFixture B => _pair.B;

    public Task InitializeAsync() => _pair.StartAsync(_ => null);

    public Task DisposeAsync() => _pair.DisposeAsync();

    private static CallOptions Within(int seconds) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task AListEntryPublishedOnOneReplica_IsScreenedOnTheOther_AndItsRevocationToo()
    {
        using var police = new Partner(A, "police-shenzhen");
        using var bank = new Partner(B, "bank-alpha");
        var publish = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        publish.Add.Add(new ListEntry
        {
            Kind = ListKind.Phone,
            Value = "+8617100007777",
            Case = new CaseRef { CaseNumber = "SZ-LIST-REPLICA", LegalBasis = LegalBasis.CriminalInvestigation },
            Confidence = 1,
            ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)),
        });
        var published = await police.Lists.PublishAsync(publish);

        var screener = new Protocol.Screening.Screener(bank.Lists, ListKind.Phone);
        await screener.SyncAsync();
        Assert.Equal("SZ-LIST-REPLICA", (await screener.ScreenAsync("+8617100007777"))?.Details.CaseNumber);

        var revoke = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        revoke.Revoke.Add(published.AddedEntryIds[0]);
        await police.Lists.PublishAsync(revoke);
        // The next sync on the other replica (a screener syncs every second) no longer finds it.
        await screener.SyncAsync();
        Assert.Null(screener.ScreenCached("+8617100007777"));
    }

    [Fact]
    public async Task PoliceOnA_BankOnB_GetsTheItemAtOnce_AndWatchOnASeesEveryTransition()
    {
        using var police = new Partner(A, "police-shenzhen");
        using var bank = new Partner(B, "bank-beta");
        using var inbox = bank.Inbox.Subscribe(new SubscribeRequest(), Within(30));
        await Task.Delay(200); // the stream is open and waiting before the submission

        var clock = Stopwatch.StartNew();
        var submitted = await police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000008001", 900_00, caseRef: Requests.Case("SZ-REPLICA")));
        Assert.True(await inbox.ResponseStream.MoveNext());
        var arrived = clock.Elapsed;
        Assert.Equal(submitted.ExchangeId, inbox.ResponseStream.Current.ExchangeId);
        // Woken by pub/sub: there is no polling interval to wait out.
        Assert.True(arrived < TimeSpan.FromSeconds(2), $"the item took {arrived} to reach the other replica");

        var ack = await bank.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        var answer = await bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(900_00) });
        Assert.Equal(ExchangeState.Answered, answer.State);

        using var watch = police.Exchange.Watch(new WatchRequest { ExchangeId = submitted.ExchangeId }, Within(20));
        var states = new List<ExchangeState>();
        while (!states.Contains(ExchangeState.Answered) && await watch.ResponseStream.MoveNext())
        {
            if (watch.ResponseStream.Current.Transition is { } t)
            {
                states.Add(t.To);
            }
        }

        Assert.Equal([ExchangeState.Submitted, ExchangeState.Delivered, ExchangeState.Acknowledged, ExchangeState.Answered], states);

        // Each replica keeps its own audit log: the receipts say which.
        Assert.EndsWith("/a", submitted.Receipt.LogOrigin);
        Assert.EndsWith("/b", ack.Receipt.LogOrigin);
        Assert.EndsWith("/b", answer.Receipt.LogOrigin);
    }

    [Fact]
    public async Task WatchOnA_FollowsLive_WhatTheBankDoesOnB()
    {
        using var police = new Partner(A, "police-shenzhen");
        using var bank = new Partner(B, "bank-beta");
        var submitted = await police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000008002", 100_00, caseRef: Requests.Case("SZ-REPLICA-LIVE")));
        using var watch = police.Exchange.Watch(new WatchRequest { ExchangeId = submitted.ExchangeId }, Within(20));
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ExchangeState.Submitted, watch.ResponseStream.Current.Transition.To);

        await bank.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ExchangeState.Acknowledged, watch.ResponseStream.Current.Transition.To);
        await bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ExchangeState.Answered, watch.ResponseStream.Current.Transition.To);
    }

    [Fact]
    public async Task EachReplicasLog_ProvesItsOwnReceipts_AndPointsElsewhereForTheOther()
    {
        using var policeA = new Partner(A, "police-shenzhen");
        using var bankB = new Partner(B, "bank-beta");
        var submitted = await policeA.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000008003", 100_00, caseRef: Requests.Case("SZ-REPLICA-AUDIT")));
        var answer = await bankB.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) });

        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(DevPki.CertsDir, "audit", "log-signing.pub")));
        foreach (var (client, receipt) in new[] { (policeA.Audit, submitted.Receipt), (bankB.Audit, answer.Receipt) })
        {
            var checkpoint = await client.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });
            Assert.Equal(receipt.LogOrigin, checkpoint.Origin);
            var body = SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key);
            var proof = await client.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = receipt.LeafIndex, TreeSize = (ulong)body.Size, LogOrigin = receipt.LogOrigin });
            Assert.True(MerkleVerifier.VerifyInclusion((long)receipt.LeafIndex, body.Size, receipt.LeafHash.Span, proof.Hashes.Select(h => h.ToByteArray()).ToList(), body.RootHash));
        }

        var wrong = await Assert.ThrowsAsync<RpcException>(() => policeA.Audit.GetInclusionProofAsync(
            new GetInclusionProofRequest { LeafIndex = answer.Receipt.LeafIndex, LogOrigin = answer.Receipt.LogOrigin }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, wrong.StatusCode);
        Assert.Contains(answer.Receipt.LogOrigin, wrong.Status.Detail);
    }
}

/// <summary>Both replicas track every deadline on one clock; the store lets each escalation fire once.</summary>
public sealed class ReplicaEscalationTests : IAsyncLifetime
{
    private readonly ReplicaPair _pair = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RecordingAuditSink _auditA = new();
    private readonly RecordingAuditSink _auditB = new();

    private HubFixture A => _pair.A;

    private HubFixture B => _pair.B;

    public async Task InitializeAsync()
    {
        await _pair.StartAsync(id => s =>
        {
            s.AddSingleton<TimeProvider>(_clock);
            s.AddSingleton<IAuditSink>(id == "a" ? _auditA : _auditB);
        });
        await A.Services.GetRequiredService<DeadlineTracker>().Armed;
        await B.Services.GetRequiredService<DeadlineTracker>().Armed;
    }

    public Task DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task DeadlineEscalations_FireOnce_NotOncePerReplica()
    {
        using var police = new Partner(A, "police-shenzhen");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", $"62220000000090{i:D2}", 1_000_00, Priority.Critical))).ExchangeId);
        }

        // Replica B learns of them through Redis and arms its own timers.
        var trackerB = B.Services.GetRequiredService<DeadlineTracker>();
        await Until(() => trackerB.Scheduled >= 10, "replica B to arm the timers");

        _clock.Advance(TimeSpan.FromMinutes(11));
        foreach (var id in ids)
        {
            await Until(async () => (await police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = id })).State == ExchangeState.Expired, $"{id} to expire");
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(500);
        foreach (var id in ids)
        {
            var expired = _auditA.Events.Count(e => e.Kind == AuditEventKind.Expired && e.ExchangeId == id) + _auditB.Events.Count(e => e.Kind == AuditEventKind.Expired && e.ExchangeId == id);
            var warned = _auditA.Events.Count(e => e.Kind == AuditEventKind.Escalated && e.ExchangeId == id) + _auditB.Events.Count(e => e.Kind == AuditEventKind.Escalated && e.ExchangeId == id);
            Assert.Equal(1, expired);
            Assert.Equal(1, warned);

            using var watch = police.Exchange.Watch(new WatchRequest { ExchangeId = id }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(10)));
            var escalations = new List<EscalationLevel>();
            while (await watch.ResponseStream.MoveNext() && watch.ResponseStream.Current.Transition?.To != ExchangeState.Expired)
            {
                if (watch.ResponseStream.Current.Escalation is { } e)
                {
                    escalations.Add(e.Level);
                }
            }

            Assert.Equal([EscalationLevel.DeadlineApproaching, EscalationLevel.DeadlinePassed], escalations);
        }
    }

    [Fact]
    public async Task AlertSignalsOnEitherReplica_Fuse_AndAMissedContactEscalatesToTheParentOnce()
    {
        using var carrier = new Partner(A, "carrier-east");
        using var bank = new Partner(B, "bank-alpha");
        using var city = new Partner(B, "police-shenzhen");
        var phone = "+86136" + Random.Shared.Next(10_000_000, 99_999_999);
        var first = await carrier.Alerts.RaiseAsync(Alerts.AlertSignals.Calls(Alerts.AlertSignals.Victim(phone, "440304"), Priority.High));
        var second = await bank.Alerts.RaiseAsync(Alerts.AlertSignals.PausedTransfer(Alerts.AlertSignals.Victim(phone, "")));
        Assert.True(second.Fused);
        Assert.Equal(first.AlertId, second.AlertId);
        Assert.Equal(Priority.Critical, second.Tier);

        // Past the critical contact deadline (5 minutes): the district missed it, the city centre takes over, once.
        _clock.Advance(TimeSpan.FromMinutes(6));
        AlertView alert = null!;
        for (var i = 0; i < 400; i++)
        {
            alert = await city.Alerts.GetAsync(new GetAlertRequest { AlertId = first.AlertId });
            if (alert.Assignments.Count == 2)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(["police-sz-futian", "police-shenzhen"], alert.Assignments.Select(a => a.Unit.Id));
        _clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(500);
        var events = _auditA.Events.Concat(_auditB.Events).ToList();
        var missed = alert.Assignments[0].ExchangeId;
        Assert.Single(events, e => e.Kind == AuditEventKind.Expired && e.ExchangeId == missed);
        Assert.Single(events, e => e.Kind == AuditEventKind.Submitted && e.CaseNumber == first.AlertId && e.Subject?.Id == "police-shenzhen");
    }

    private static async Task Until(Func<bool> condition, string what) => await Until(() => Task.FromResult(condition()), what);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        // Bounded by count, not by the clock: a busy machine makes each attempt slower, not fewer.
        for (var attempt = 0; !await condition(); attempt++)
        {
            if (attempt == 400)
            {
                throw new TimeoutException("gave up waiting for " + what);
            }

            await Task.Delay(50);
        }
    }
}
