using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Observability;

/// <summary>
/// The alert rules and the Grafana dashboard shipped in docs/ops name only metrics the hub exports: an alert on a name nobody
/// exports never fires. Names follow the exporter's rule (dots to underscores, unit seconds as _seconds, counters _total,
/// histograms _bucket/_sum/_count), which <see cref="OperationsPortTests"/> sees in a real scrape.
/// </summary>
public sealed partial class OpsDocsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static string Ops(string file) => Path.Combine(DevPki.RepoRoot, "docs", "ops", file);

    [Fact]
    public void AlertRulesAndDashboard_NameOnlyMetricsTheHubExports()
    {
        Assert.NotNull(hub.OpsAddress);
        var exported = Exported();
        Assert.Contains("afx_rpc_calls_total", exported);
        Assert.Contains("afx_inbox_depth", exported);
        foreach (var file in new[] { "alert-rules.yml", "grafana-dashboard.json" })
        {
            var named = HubMetric().Matches(File.ReadAllText(Ops(file))).Select(m => m.Value).Distinct().ToList();
            Assert.True(named.Count >= 8, $"{file} names only {named.Count} hub metrics");
            Assert.All(named, name => Assert.True(exported.Contains(name), $"{file} names {name}, which the hub does not export"));
        }
    }

    [Fact]
    public void Dashboard_IsGrafanaJson_WithAQueryInEveryPanel()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Ops("grafana-dashboard.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.True(panels.Count >= 10);
        Assert.All(panels, p => Assert.Contains(p.GetProperty("targets").EnumerateArray(),
            t => !string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString())));
    }

    [Fact]
    public void AlertRules_CoverWhatTheOnCallEngineerIsAskedToWatch()
    {
        var rules = File.ReadAllText(Ops("alert-rules.yml"));
        foreach (var alert in new[] { "AfxDeadlineAboutToPass", "AfxPartnerStreamDown", "AfxBridgeDeadLettersPilingUp", "AfxCrlStale",
                     "AfxAuditCheckpointStalled" })
        {
            Assert.Contains($"- alert: {alert}\n", rules, StringComparison.Ordinal);
        }
    }

    /// <summary>The Prometheus names of every instrument on the hub's meter (the hub in the fixture has created its gauges).</summary>
    private static HashSet<string> Exported()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        // The static instruments exist once their class is initialised (the first recording does it in the hub).
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(HubMetrics).TypeHandle);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name != HubMetrics.MeterName)
                {
                    return;
                }

                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : string.Empty);
                var type = instrument.GetType().GetGenericTypeDefinition();
                if (type == typeof(Counter<>))
                {
                    names.Add(name + "_total");
                }
                else if (type == typeof(Histogram<>))
                {
                    names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
                }
                else
                {
                    names.Add(name);
                }
            },
        };
        listener.Start();
        return names;
    }

    [GeneratedRegex(@"\bafx_(?!bridge_)[a-z_]+")]
    private static partial Regex HubMetric();
}
