using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Alerts;

/// <summary>The alert policy file: what it accepts, how it names a mistake, and that an edit takes effect (the watcher refreshes it).</summary>
public sealed class AlertPolicyTests
{
    private static AlertRules Parse(string json) => AlertRules.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void TheRepositorysPolicy_Parses_WithTheDomainNotesRule()
    {
        var rules = AlertRules.Parse(File.ReadAllBytes(Path.Combine(DevPki.RepoRoot, "config", "alerts.json")));
        Assert.Equal(TimeSpan.FromMinutes(30), rules.FusionWindow);
        Assert.Equal("police-shenzhen", rules.LocateUnit);
        var rule = Assert.Single(rules.Rules, r => r.Name == "fraud-call-then-paused-transfer");
        Assert.Equal(Priority.Critical, rule.Tier);
        Assert.Equal(["suspicious_calls", "bank_transfer:paused"], rule.Signals);
    }

    [Theory]
    [InlineData("""{ "fusionWindow": "soon" }""", "fusionWindow")]
    [InlineData("""{ "fusionWindow": "8.00:00:00" }""", "fusionWindow")]
    [InlineData("""{ "rules": [ { "signals": ["fax"], "tier": "HIGH" } ] }""", "rules[0].signals")]
    [InlineData("""{ "rules": [ { "signals": ["analysis"], "tier": "URGENT" } ] }""", "rules[0].tier")]
    [InlineData("""{ "rules": [ { "signals": [], "tier": "HIGH" } ] }""", "rules[0].signals")]
    public void AMistake_IsRefused_NamingWhere(string json, string where)
    {
        var e = Assert.Throws<FormatException>(() => Parse(json));
        Assert.StartsWith(where, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fusion_RaisesTheTierByRule_AndNeverLowersIt()
    {
        var now = DateTimeOffset.UtcNow;
        var rules = Parse("""{ "rules": [ { "name": "r", "signals": ["suspicious_calls", "bank_transfer:paused"], "within": "00:10:00", "tier": "CRITICAL" } ] }""");
        var carrier = new AntiFraud.Exchange.Hub.Identity.PartnerIdentity(PartnerKind.Carrier, "carrier-east");
        var bank = new AntiFraud.Exchange.Hub.Identity.PartnerIdentity(PartnerKind.Bank, "bank-alpha");
        var (alert, _) = AlertFusion.Fuse(null, carrier, AlertSignals.Calls(AlertSignals.Victim(), Priority.Low), now, rules);
        Assert.Equal(Priority.Low, alert.Tier);

        // Outside the rule's span the tier follows the suggestion only.
        var (late, _) = AlertFusion.Fuse(alert, bank, AlertSignals.PausedTransfer(AlertSignals.Victim(), suggested: Priority.Medium), now.AddMinutes(11), rules);
        Assert.Equal(Priority.Medium, late.Tier);
        Assert.Equal("suggested by bank-alpha", late.TierReason);

        var (soon, _) = AlertFusion.Fuse(alert, bank, AlertSignals.PausedTransfer(AlertSignals.Victim()), now.AddMinutes(9), rules);
        Assert.Equal(Priority.Critical, soon.Tier);
        Assert.Equal("policy rule r", soon.TierReason);
        var (after, _) = AlertFusion.Fuse(soon, carrier, AlertSignals.Calls(AlertSignals.Victim(), Priority.Low), now.AddMinutes(10), rules);
        Assert.Equal(Priority.Critical, after.Tier);
        Assert.Equal(3u, after.SignalCount);
    }

    [Fact]
    public async Task AnEdit_TakesEffect_ABrokenOneIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("afx-alert-policy-").FullName;
        var path = Path.Combine(dir, "alerts.json");
        await File.WriteAllTextAsync(path, """{ "fusionWindow": "00:30:00" }""");
        var policy = new AlertPolicy(path, TimeProvider.System, NullLogger<AlertPolicy>.Instance);
        Assert.Equal(TimeSpan.FromMinutes(30), policy.Current.FusionWindow);
        await File.WriteAllTextAsync(path, """{ "fusionWindow": "00:05:00" }""");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.True(policy.Refresh());
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Current.FusionWindow);

        // A broken edit is refused; the last good policy stays in force.
        await File.WriteAllTextAsync(path, """{ "fusionWindow": "never" }""");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(10));
        policy.Refresh();
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Current.FusionWindow);
    }
}
