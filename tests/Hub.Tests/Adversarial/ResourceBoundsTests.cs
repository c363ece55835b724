using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Adversarial;

/// <summary>Every length, count and enum a partner sends is bounded; out-of-range values are INVALID_ARGUMENT, never UNKNOWN.</summary>
public sealed class ResourceBoundsTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    private static CallOptions Within(int seconds) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task UnknownEnumValues_AreInvalidArgumentNamingTheField()
    {
        var priority = Requests.Freeze("bank-alpha", "6222000000020001", 100_00);
        priority.Priority = (Priority)99;
        var basis = Requests.Freeze("bank-alpha", "6222000000020002", 100_00);
        basis.Case.LegalBasis = (LegalBasis)1000;
        var direction = Requests.Freeze("bank-alpha", "6222000000020003", 100_00);
        direction.Request.Freeze.ReportedTransfer = new Transaction { Direction = (TransferDirection)7 };

        var p = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(priority).ResponseAsync);
        var b = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(basis).ResponseAsync);
        var d = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(direction).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument, StatusCode.InvalidArgument), (p.StatusCode, b.StatusCode, d.StatusCode));
        Assert.StartsWith("priority:", p.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("case.legal_basis:", b.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("request.freeze.reported_transfer.direction:", d.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownStatusInAnAnswer_IsInvalidArgument()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000020004", 100_00));
        var answer = new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) };
        answer.Result.Freeze.Status = (HoldStatus)42;

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(answer).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("result.freeze.status:", ex.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ids and case numbers of hundreds of kilobytes get a short INVALID_ARGUMENT at once: no echo of
    /// the value in grpc-message, no stalled connection, nothing of it in the audit trail.
    /// </summary>
    [Fact]
    public async Task HugeIdsAndCaseNumbers_AreInvalidArgument_WithoutEcho()
    {
        var huge = "ex-" + new string('7', 200 * 1024);
        var hugeCase = new string('C', 3 * 1024 * 1024 - 1024);
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("Get", () => f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = huge }, Within(15)).ResponseAsync),
            ("Cancel", () => f.Police.Exchange.CancelAsync(new CancelExchangeRequest { ExchangeId = huge }, Within(15)).ResponseAsync),
            ("GetCase", () => f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = hugeCase }, Within(15)).ResponseAsync),
            ("Ack", () => f.BankAlpha.Inbox.AckAsync(new AckRequest { ExchangeId = huge }, Within(15)).ResponseAsync),
            ("Respond", () => f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = huge, RejectionReason = "x" }, Within(15)).ResponseAsync),
            ("Watch", async () =>
            {
                using var watch = f.Police.Exchange.Watch(new WatchRequest { CaseNumber = hugeCase }, Within(15));
                await watch.ResponseStream.MoveNext();
            }),
            ("Subscribe", async () =>
            {
                using var inbox = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest { PartnerId = huge }, Within(15));
                await inbox.ResponseStream.MoveNext();
            }),
            ("Query", () => f.Auditor.Audit.QueryAsync(new AuditQueryRequest { CaseNumber = hugeCase }, Within(15)).ResponseAsync),
        };

        foreach (var (name, call) in calls)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"{name}: {ex.StatusCode} {ex.Status.Detail[..Math.Min(200, ex.Status.Detail.Length)]}");
            Assert.True(ex.Status.Detail.Length < 300, $"{name} echoed {ex.Status.Detail.Length} characters");
        }

        Assert.DoesNotContain(f.Audit.Events, e => (e.ExchangeId?.Length ?? 0) > 128 || (e.CaseNumber?.Length ?? 0) > 128 || e.Detail.Length > 512);
        var health = await new HealthClient(f.Police.Channel).CheckAsync(new HealthCheckRequest(), Within(15));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task ProofAndExportIndices_Of2Pow63OrMore_AreInvalidArgument()
    {
        const ulong big = 1UL << 63;
        var inclusion = await Assert.ThrowsAsync<RpcException>(() => f.Police.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = big, TreeSize = big + 1 }).ResponseAsync);
        var inclusionLeaf = await Assert.ThrowsAsync<RpcException>(() => f.Police.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = big }).ResponseAsync);
        var consistency = await Assert.ThrowsAsync<RpcException>(() => f.Police.Audit.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 1, SecondSize = big }).ResponseAsync);

        using var export = f.Auditor.Audit.Export(new ExportLogRequest { StartIndex = big + 1 }, Within(15));
        var exported = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await export.ResponseStream.MoveNext())
            {
                Assert.Fail("exported an entry for start_index 2^63+1");
            }
        });

        Assert.All(new[] { inclusion, inclusionLeaf, consistency, exported }, e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
    }

    /// <summary>The masking engine's plans are cached per recipient context; invented contexts cannot grow the cache without bound.</summary>
    [Fact]
    public void MaskingPlanCache_StaysBounded_UnderInventedContexts()
    {
        var engine = Masking.MaskingTestBed.Engine();
        var item = Masking.MaskingTestBed.FreezeItem();
        for (var i = 0; i < 3 * Hub.Masking.MaskingEngine.MaxPlans; i++)
        {
            engine.Mask(item, Masking.MaskingTestBed.For(PartnerKind.Bank, "bank-alpha", basis: (LegalBasis)(1000 + i)));
        }

        Assert.InRange(engine.PlanCount, 1, Hub.Masking.MaskingEngine.MaxPlans);
    }

    /// <summary>One Watch stream that never reads while its case is busy: one pending wake-up is enough, so the backlog stays one.</summary>
    [Fact]
    public void WatchSubscription_ThatNeverReads_HoldsAtMostOneWakeUp()
    {
        var bus = new EventBus();
        using var subscription = bus.Subscribe(WatchTarget.Case("police-shenzhen", "SZ-BUSY"));
        for (var i = 0; i < 10_000; i++)
        {
            bus.PublishLocal("police-shenzhen", [new WatchEvent { Sequence = (ulong)i + 1, ExchangeId = "ex-" + i, CaseNumber = "SZ-BUSY" }]);
        }

        var waiting = 0;
        while (subscription.Reader.TryRead(out _))
        {
            waiting++;
        }

        Assert.True(waiting <= 1, $"{waiting} wake-ups were waiting");
    }
}

/// <summary>Outsiders and half-finished requests: refused at the handshake, bounded in memory, aggregated in the log.</summary>
public sealed class HostileConnectionTests
{
    [Fact]
    public async Task ForeignCertificate_IsRefusedAtTheHandshake()
    {
        using var certs = new TestCertificates();
        var foreign = certs.Issue("bank", "bank-alpha", name: "foreign", foreign: true);
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build());
        using var channel = hub.Channel(foreign.Cert, foreign.Key);

        var ex = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);

        // No gRPC answer at all: the TLS handshake failed, so the outsider never reached a handler.
        Assert.True(HandshakeRefusal.Is(ex), $"{ex.StatusCode}: {ex.Status.Detail}");
    }

    /// <summary>A registered-looking but unknown partner calling 200 times leaves a handful of audit entries, not 200 fsyncs.</summary>
    [Fact]
    public async Task RepeatedRefusals_FromOnePeer_AreAggregatedInTheAuditLog()
    {
        using var certs = new TestCertificates();
        var stranger = certs.Issue("bank", "bank-stranger");
        var audit = new RecordingAuditSink();
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build(s => s.AddSingleton<IAuditSink>(audit)));
        using var channel = hub.Channel(stranger.Cert, stranger.Key);

        for (var i = 0; i < 200; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        }

        var refusals = audit.Events.Count(e => e.Kind == AuditEventKind.Denied);
        Assert.InRange(refusals, 1, 3);
    }

    /// <summary>
    /// One connection opens 200 streams, each declaring a 4 MiB message and sending half of it, then
    /// stalls. The hub's memory stays bounded and another partner is served throughout.
    /// </summary>
    [Fact]
    public async Task HalfSentMessages_OnOneConnection_KeepTheHubsMemoryBounded()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-halfsent-" + Guid.NewGuid().ToString("N")[..8]);
        using var hub = await HubProcess.StartAsync($"--Hub:Store:Path={dir}/hub.db");
        using var bank = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("bank-alpha"));
        var health = new HealthClient(bank);
        await health.CheckAsync(new HealthCheckRequest());
        var before = ProcessMemory.RssBytes(hub.Pid);

        using var release = new CancellationTokenSource();
        using var http = RawGrpc.Client("police-shenzhen");
        var bodies = new List<RawGrpc.HalfSentMessage>();
        var calls = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            var body = new RawGrpc.HalfSentMessage(4 * 1024 * 1024, 2 * 1024 * 1024, release.Token);
            bodies.Add(body);
            calls.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = RawGrpc.Request(hub.Address, "/antifraud.exchange.v1.Exchange/Submit", body);
                    using var response = await http.SendAsync(request, release.Token);
                    await RawGrpc.StatusOf(response);
                }
                catch (Exception)
                {
                    // Refused, reset or released: all the same to the attacker.
                }
            }));
        }

        var peak = before;
        for (var i = 0; i < 200 && !bodies.All(b => b.Sent.IsCompleted); i++)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(10)))).Status);
            peak = Math.Max(peak, ProcessMemory.RssBytes(hub.Pid));
            await Task.Delay(100);
        }

        peak = Math.Max(peak, ProcessMemory.RssBytes(hub.Pid));
        await release.CancelAsync();
        await Task.WhenAll(calls);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.True(peak - before < 160L * 1024 * 1024, $"hub RSS grew {(peak - before) / (1024 * 1024)} MB under 200 half-sent messages");
    }
}
