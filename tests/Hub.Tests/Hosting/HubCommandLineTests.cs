using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Hosting;

/// <summary>afx-hub as an operator starts it: --help, and settings that are wrong.</summary>
public sealed class HubCommandLineTests
{
    [Fact]
    public async Task Help_PrintsUsage_AndExitsWithoutStarting()
    {
        var (exitCode, output) = await HubProcess.RunToExitAsync(["--help"], TimeSpan.FromMinutes(1));
        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
        Assert.Contains("--Hub:Listen", output);
        Assert.DoesNotContain("listening on", output);
    }

    [Theory]
    [InlineData("--Hub:Limits:MaxConnections=0", "Hub:Limits:MaxConnections 0 must be above 0")]
    [InlineData("--Hub:Tls:StaleCrl=ignore", "Hub:Tls:StaleCrl 'ignore' is not refuse or warn")]
    [InlineData("--Hub:Store:Provider=postgres", "Hub:Store:Provider 'postgres' is unknown")]
    [InlineData("--Hub:Listen=localhost", "Hub:Listen 'localhost' is not an address:port")]
    [InlineData("--Hub:Lists:EvaluationsPerMinute=0", "Hub:Lists:EvaluationsPerMinute 0 must be above 0")]
    [InlineData("--Hub:Lists:KeyPath=nowhere/oprf.key", "Hub:Lists:KeyPath")]
    public async Task AWrongSetting_StopsStartUp_NamingIt_WithoutAStackTrace(string setting, string message)
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-settings-" + Guid.NewGuid().ToString("N")[..8]);
        var (exitCode, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={dir}/hub.db", setting], TimeSpan.FromMinutes(1));
        Assert.Equal(1, exitCode);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task CheckConfig_SaysWhatIsInForce_AndNamesABadRegistry_WithoutListening()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-check-" + Guid.NewGuid().ToString("N")[..8]);
        var (ok, output) = await HubProcess.RunToExitAsync(["--check-config", $"--Hub:Store:Path={dir}/hub.db"], TimeSpan.FromMinutes(1));
        Assert.True(ok == 0, output);
        Assert.Contains("The configuration is valid.", output);
        Assert.Contains("partner registry", output);
        Assert.Contains("retention: exchanges 180 days after ending", output);
        Assert.DoesNotContain("listening on", output);
        Assert.False(File.Exists(Path.Combine(dir, "audit", "audit.log")), "a configuration check must not open the audit log");
        Assert.False(File.Exists(Path.Combine(dir, "hub.db")), "a configuration check must not open the store");

        Directory.CreateDirectory(dir);
        var registry = Path.Combine(dir, "partners.json");
        await File.WriteAllTextAsync(registry, "{ \"partners\": [ { \"id\": \"BAD ID\" } ] }");
        var (bad, refused) = await HubProcess.RunToExitAsync(["--check-config", $"--Hub:Store:Path={dir}/hub.db", $"--Hub:Partners:RegistryPath={registry}"],
            TimeSpan.FromMinutes(1));
        Assert.Equal(1, bad);
        Assert.Contains("NOT valid", refused);
        Assert.Contains(registry, refused);
        Assert.DoesNotContain("   at ", refused);

        var retention = Path.Combine(dir, "retention.json");
        await File.WriteAllTextAsync(retention, "{ \"exchanges\": { \"keepDaysAfterEnding\": 0 } }");
        var (wrong, named) = await HubProcess.RunToExitAsync(["--check-config", $"--Hub:Store:Path={dir}/hub.db", $"--Hub:Retention:PolicyPath={retention}"],
            TimeSpan.FromMinutes(1));
        Assert.Equal(1, wrong);
        Assert.Contains("keepDaysAfterEnding", named);
    }
}
