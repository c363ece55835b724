using System.Text.RegularExpressions;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>The bridge's own metrics: what Prometheus scrapes to alert on dead letters piling up (docs/ops/alert-rules.yml).</summary>
public sealed partial class BridgeMetricsTests(BridgeFixture fixture) : IClassFixture<BridgeFixture>
{
    [Fact]
    public async Task DeadLetters_ShowInTheBridgesMetrics_ByDirection_WithoutFileNames()
    {
        var folder = Path.Combine(fixture.Directory, "metrics-" + Guid.NewGuid().ToString("N")[..6]);
        var port = FreePort();
        using var bridge = fixture.StartBridge("bank-beta", folder, null, $"--Bridge:Metrics=127.0.0.1:{port}");
        using var http = new HttpClient();
        var metrics = new Uri($"http://127.0.0.1:{port}/metrics");
        var before = await BridgeFixture.Eventually(async () =>
        {
            try
            {
                return await http.GetStringAsync(metrics);
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, "the bridge's metrics");
        Assert.Contains("afx_bridge_dead_letters{partner=\"bank-beta\",direction=\"inbound\"} 0\n", before, StringComparison.Ordinal);

        LegacyBank.Drop(folder, "result-metrics.dat", LegacyBank.ResultFile("ex-not-addressed-to-us", "000000000000100"));
        var after = await BridgeFixture.Eventually(async () => await http.GetStringAsync(metrics) is var text
            && text.Contains("afx_bridge_dead_letters{partner=\"bank-beta\",direction=\"inbound\"} 1\n", StringComparison.Ordinal) ? text : null,
            "the dead letter counted");
        Assert.Contains("afx_bridge_dead_lettered_total{partner=\"bank-beta\",direction=\"inbound\"} 1\n", after, StringComparison.Ordinal);
        Assert.Contains("afx_bridge_dead_letters{partner=\"bank-beta\",direction=\"outbound\"} 0\n", after, StringComparison.Ordinal);
        Assert.DoesNotContain("result-metrics", after, StringComparison.Ordinal);
        Assert.DoesNotContain("ex-not-addressed-to-us", after, StringComparison.Ordinal);

        // Every bridge metric the shipped alert rules and dashboard name is one the bridge exports.
        var families = after.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        foreach (var file in new[] { "alert-rules.yml", "grafana-dashboard.json" })
        {
            var named = BridgeMetric().Matches(await File.ReadAllTextAsync(Path.Combine(DevPki.RepoRoot, "docs", "ops", file)))
                .Select(m => m.Value).Distinct().ToList();
            Assert.NotEmpty(named);
            Assert.All(named, name => Assert.Contains(name, families));
        }
    }

    [GeneratedRegex(@"\bafx_bridge_[a-z_]+")]
    private static partial Regex BridgeMetric();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
