using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

/// <summary>An insider who disables a partner or loosens a masking rule shows up in the tamper-evident log.</summary>
public sealed class ConfigurationAuditTests
{
    private static async Task<AuditEvent> EntryAsync(RecordingAuditSink audit, Func<AuditEvent, bool> matching)
    {
        // The watcher looks every half second; up to 30 s of looks, bounded by count.
        for (var look = 0; look < 300; look++)
        {
            if (audit.Events.FirstOrDefault(e => e.Kind == AuditEventKind.ConfigurationChanged && matching(e)) is { } entry)
            {
                return entry;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("no such CONFIGURATION_CHANGED entry; entries: "
            + string.Join(" | ", audit.Events.Where(e => e.Kind == AuditEventKind.ConfigurationChanged).Select(e => e.Detail)));
    }

    [Fact]
    public async Task RegistryAndMaskingEdits_AndARefusedEdit_AreAudited_WithTheirHashes()
    {
        using var certs = new TestCertificates();
        var registry = certs.WriteRegistry(("bank-new", "bank", true), ("police-shenzhen", "police", true));
        var masking = Path.Combine(certs.Dir, "masking.json");
        File.Copy(Path.Combine(DevPki.RepoRoot, "config", "masking.json"), masking);
        var audit = new RecordingAuditSink();
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build(s => s.AddSingleton<IAuditSink>(audit),
            $"--Hub:Partners:RegistryPath={registry}", $"--Hub:Masking:PolicyPath={masking}"));

        var atStart = await EntryAsync(audit, e => e.Detail.StartsWith("Partner registry", StringComparison.Ordinal) && e.Detail.Contains("in force at start", StringComparison.Ordinal));
        Assert.Equal("hub", atStart.Actor!.Id);

        certs.WriteRegistry(("bank-new", "bank", false), ("police-shenzhen", "police", true));
        var disabled = await EntryAsync(audit, e => e.Detail.Contains("bank-new disabled", StringComparison.Ordinal));
        Assert.Contains("(was ", disabled.Detail, StringComparison.Ordinal);

        await File.WriteAllTextAsync(masking, (await File.ReadAllTextAsync(masking)).TrimEnd() + "\n\n");
        await EntryAsync(audit, e => e.Detail.StartsWith("Masking policy", StringComparison.Ordinal) && e.Detail.Contains("content changed", StringComparison.Ordinal));

        await File.WriteAllTextAsync(registry, "{ \"partners\": [ { \"id\": \"BAD ID\" } ] }");
        await EntryAsync(audit, e => e.Detail.StartsWith("Partner registry", StringComparison.Ordinal) && e.Detail.Contains("NOT taken", StringComparison.Ordinal));
    }
}
