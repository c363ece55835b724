using System.Net;
using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Core;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Observability;

/// <summary>
/// The operations port of a real afx-hub process: probes for load balancers, a Prometheus scrape whose counters move with the
/// traffic and carry no personal data, JSON logs with trace and exchange ids, and nothing of the partner API.
/// </summary>
public sealed class OperationsPortTests
{
    private const string Police = "police-shenzhen";
    private const string Bank = "bank-alpha";
    private const string Submit = "antifraud.exchange.v1.Exchange/Submit";

    /// <summary>A hub process on a store of its own.</summary>
    private static Task<HubProcess> StartAsync(string[] settings, IReadOnlyDictionary<string, string>? environment = null) =>
        HubProcess.StartAsync([$"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-ops-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}",
            .. settings], null, environment);

    private static GrpcChannel Channel(HubProcess hub, string partner) => GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions(partner));

    [Fact]
    public async Task Metrics_MoveWithTheTraffic_ByMethodCallerAndStatus_AndCarryNoPersonalData()
    {
        using var hub = await StartAsync([]);
        var ops = hub.OpsAddress ?? throw new InvalidOperationException("the hub wrote no operations address");
        using var police = Channel(hub, Police);
        using var bank = Channel(hub, Bank);
        var before = await Scrape.MetricsAsync(ops);

        var submitted = await new ExchangeClient(police).SubmitAsync(
            Requests.Freeze(Bank, "6222029988776655", 4_321_00, caseRef: Requests.Case("SZ-METRICS-0007")));
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            new ExchangeClient(bank).GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var waiting = await Scrape.MetricsAsync(ops);

        Assert.Equal(1, Delta(before, waiting, "afx_rpc_calls_total", ("method", Submit), ("partner_kind", "police"), ("status", "OK")));
        Assert.Equal(1, Delta(before, waiting, "afx_rpc_calls_total", ("method", "antifraud.exchange.v1.Exchange/Get"),
            ("partner_kind", "bank"), ("status", "PERMISSION_DENIED")));
        Assert.Equal(1, Delta(before, waiting, "afx_rpc_duration_seconds_count", ("method", Submit)));
        Assert.Equal(1, Scrape.Value(waiting, "afx_inbox_depth", ("partner", Bank), ("tier", "high")));
        Assert.True(Delta(before, waiting, "afx_audit_entries") >= 2, "the submission and the refusal are audited");
        Assert.True(Delta(before, waiting, "afx_audit_append_duration_seconds_count") >= 2);
        Assert.True(Delta(before, waiting, "afx_store_commit_duration_seconds_count", ("provider", "sqlite")) >= 1);
        Assert.Equal(1, Scrape.Value(waiting, "afx_up", ("component", "store"), ("provider", "sqlite")));
        Assert.Equal(1, Scrape.Value(waiting, "afx_up", ("component", "audit")));
        Assert.NotNull(Scrape.Value(waiting, "afx_crl_next_update_seconds"));

        // The bank takes the work on its inbox stream: the stream shows, the item leaves the depth once answered.
        var inbox = new InboxClient(bank);
        using (var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 4 }))
        {
            Assert.True(await stream.ResponseStream.MoveNext());
            Assert.Equal(1, Scrape.Value(await Scrape.MetricsAsync(ops), "afx_partner_streams", ("partner", Bank)));
            await inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
            await inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(4_321_00) });
        }

        var after = await Eventually(ops, text => Scrape.Value(text, "afx_partner_streams", ("partner", Bank)) == 0);
        Assert.Equal(0, Scrape.Value(after, "afx_inbox_depth", ("partner", Bank)) ?? 0);
        Assert.NotNull(Scrape.Value(after, "afx_partner_streams_down_seconds", ("partner", Bank)));
        Assert.Equal(1, Delta(waiting, after, "afx_rpc_calls_total", ("method", "antifraud.exchange.v1.Inbox/Respond"),
            ("partner_kind", "bank"), ("status", "OK")));

        // Ids and kinds only: nothing of the case, the account, the victim or the officer.
        foreach (var personal in new[] { "6222029988776655", "SZ-METRICS-0007", "李小梅", "440301199001011234", "8613800138000", "Inspector Wang", "张三",
                     submitted.ExchangeId })
        {
            Assert.DoesNotContain(personal, after, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Probes_AnswerForLoadBalancers_AndThePortServesNothingOfThePartnerApi()
    {
        using var hub = await StartAsync([]);
        var ops = hub.OpsAddress!;
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(ops.Host)), $"the operations port binds loopback by default, not {ops.Host}");
        Assert.Equal((200, "ok\n"), await Scrape.GetAsync(ops, "/healthz"));
        Assert.Equal((200, "ready\n"), await Scrape.GetAsync(ops, "/readyz"));
        var (status, body) = await Scrape.GetAsync(ops, "/antifraud.exchange.v1.Exchange/Get");
        Assert.Equal(404, status);
        Assert.Contains("/healthz, /readyz and /metrics only", body, StringComparison.Ordinal);

        // A gRPC call sent in the clear to the operations port reaches no service.
        using var http = new HttpClient();
        using var post = await http.PostAsync(new Uri(ops, "/" + Submit), new ByteArrayContent([0, 0, 0, 0, 0]));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Null(Scrape.Value(await Scrape.MetricsAsync(ops), "afx_rpc_calls_total", ("method", Submit)));

        // And the partner port does not hand out the metrics, even to a partner with a valid certificate.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        handler.ClientCertificates.Add(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            DevPki.PartnerCertPath(Bank), DevPki.PartnerKeyPath(Bank)));
        using var tls = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var partnerPort = await tls.GetAsync(new Uri(hub.Address + "/metrics"));
        Assert.NotEqual(HttpStatusCode.OK, partnerPort.StatusCode);
        Assert.DoesNotContain("afx_", await partnerPort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_FollowsRedis_WhileLivenessStays()
    {
        using var redis = RedisServer.Start();
        using var hub = await StartAsync([.. redis.HubSettings, "--Hub:ReplicaId=ops"]);
        var ops = hub.OpsAddress!;
        Assert.Equal(200, (await Scrape.GetAsync(ops, "/readyz")).Status);
        // Every round trip to Redis is timed (the health check's own make some within a second).
        await Eventually(ops, text => Scrape.Value(text, "afx_store_commit_duration_seconds_count", ("provider", "redis")) > 0);

        redis.Kill();
        var down = await EventuallyGet(ops, "/readyz", r => r.Status == 503);
        Assert.StartsWith("not ready: ", down.Body, StringComparison.Ordinal);
        Assert.Equal((200, "ok\n"), await Scrape.GetAsync(ops, "/healthz"));
        Assert.Equal(0, Scrape.Value(await Scrape.MetricsAsync(ops), "afx_up", ("component", "store"), ("provider", "redis")));

        redis.Restart();
        await EventuallyGet(ops, "/readyz", r => r.Status == 200);
        Assert.Equal(1, Scrape.Value(await Scrape.MetricsAsync(ops), "afx_up", ("component", "store"), ("provider", "redis")));
    }

    [Fact]
    public async Task JsonLogs_OneObjectPerLine_WithTheCallsTraceAndExchangeIds()
    {
        using var hub = await StartAsync([], new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" });
        using var police = Channel(hub, Police);
        using var bank = Channel(hub, Bank);
        var submitted = await new ExchangeClient(police).SubmitAsync(Requests.Freeze(Bank, "6222029988776600", 100_00));
        await new InboxClient(bank).RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) });

        JsonElement? answered = null;
        for (var look = 0; look < 100 && answered is null; look++)
        {
            answered = Entries(hub).FirstOrDefault(e => e.GetProperty("EventId").GetInt32() == 408) is { ValueKind: JsonValueKind.Object } found
                ? found
                : null;
            await Task.Delay(100);
        }

        var entry = answered ?? throw new InvalidOperationException("no 'Answered' entry logged:\n" + string.Join('\n', hub.Log));
        var scopes = entry.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("ExchangeId", out var id) && id.GetString() == submitted.ExchangeId);
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var trace) && trace.GetString() is { Length: 32 } t && t.Trim('0').Length > 0);
        var accepted = Entries(hub).Single(e => e.GetProperty("EventId").GetInt32() == 400);
        Assert.Equal(submitted.ExchangeId, accepted.GetProperty("State").GetProperty("ExchangeId").GetString());
        Assert.Contains(accepted.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("TraceId", out _));
    }

    [Fact]
    public async Task Settings_ABadAddressStopsStartUp_AndNoneTurnsThePortOff()
    {
        var (exit, output) = await HubProcess.RunToExitAsync(["--Hub:Ops:Listen=port-eighty"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("Hub:Ops:Listen 'port-eighty' is not an address:port", output, StringComparison.Ordinal);

        // A partner port near the top has no default operations port: the operator is told to set one.
        var (topExit, topOutput) = await HubProcess.RunToExitAsync(["--Hub:Listen=127.0.0.1:65000"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, topExit);
        Assert.Contains("Hub:Ops:Listen is needed: its default, the partner port + 1000 (66000), is not a port", topOutput, StringComparison.Ordinal);

        using var hub = await StartAsync(["--Hub:Ops:Listen=none"]);
        Assert.Null(hub.OpsAddress);
        Assert.DoesNotContain(hub.Log, l => l.Contains("Operations port on", StringComparison.Ordinal));
    }

    /// <summary>Every line the hub wrote, parsed: each must be one JSON object.</summary>
    private static List<JsonElement> Entries(HubProcess hub) =>
        [.. hub.Log.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static double Delta(string before, string after, string name, params (string, string)[] labels) =>
        (Scrape.Value(after, name, labels) ?? 0) - (Scrape.Value(before, name, labels) ?? 0);

    private static async Task<string> Eventually(Uri ops, Func<string, bool> done)
    {
        var text = string.Empty;
        for (var look = 0; look < 100; look++)
        {
            text = await Scrape.MetricsAsync(ops);
            if (done(text))
            {
                return text;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the metrics never showed it:\n" + text);
    }

    private static async Task<(int Status, string Body)> EventuallyGet(Uri ops, string path, Func<(int Status, string Body), bool> done)
    {
        (int, string) last = default;
        for (var look = 0; look < 200; look++)
        {
            last = await Scrape.GetAsync(ops, path);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{path} never answered as expected; last {last}");
    }
}
