using System.Diagnostics;
using System.Text.Json;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>What a new user tripped over (issue 15), each against a real hub process.</summary>
public sealed class NewUserDefectTests(AfxCommandTests.HubFixture hub) : IClassFixture<AfxCommandTests.HubFixture>
{
    private string Address => hub.Hub.Address;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task TheReadmesFirstPoliceExample_AnEmergencyStopPaymentWithoutAnOfficer_IsAccepted()
    {
        var run = await Afx.RunAsync("stop-payment", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-2026-0042", "--bank", "bank-alpha",
            "--account", "6222020200112233", "--amount", "49800.00", "--follow-money");
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("ex-", run.Out);
    }

    [Fact]
    public async Task Inbox_WithoutLeaseOrFollow_ListsWithoutLeasing_SoTheFirstRealDeliveryIsAttemptOne()
    {
        var submitted = await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-PEEK", "--officer", "Inspector Wang",
            "--bank", "bank-beta", "--account", "6217002870099990001", "--amount", "10.00", "--json");
        Assert.True(submitted.Code == 0, submitted.Err);
        var id = Json(submitted.Out).GetProperty("exchangeId").GetString()!;

        for (var i = 0; i < 2; i++)
        {
            var listed = await Afx.RunAsync("inbox", "--hub", Address, "--as", "bank-beta");
            Assert.True(listed.Code == 0, listed.Err);
            Assert.Contains(id, listed.Out);
        }

        var taken = await Afx.RunAsync("inbox", "--hub", Address, "--as", "bank-beta", "--lease", "--ack", "--json");
        Assert.True(taken.Code == 0, taken.Err);
        var item = taken.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).Single(e => e.GetProperty("exchangeId").GetString() == id);
        Assert.Equal(1, item.GetProperty("deliveryAttempt").GetInt32());
    }

    public static TheoryData<string[]> BadUsage() => new()
    {
        new[] { "frobnicate" },
        new[] { "health", "--bogus" },
        new[] { "audit", "verify-inclusion", "--checkpoint", "x.txt", "--index", "1", "--leaf-hash", "zz", "--proof", "00" },
        new[] { "audit", "verify-segment", "--log", "/nonexistent/audit.log", "--checkpoint", "/nonexistent/c.txt" },
        new[] { "audit", "verify", "--as", "auditor-national", "--leaf-hash", "not-hex", "--index", "1" },
    };

    [Theory]
    [MemberData(nameof(BadUsage))]
    public async Task BadUsage_ExitsTwo_WithAMessageAndNoStackTrace(string[] args)
    {
        var run = await Afx.RunAsync([.. args, "--hub", Address]);
        Assert.True(run.Code == 2, $"exit {run.Code}: {run.Err}");
        Assert.StartsWith("afx: ", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact]
    public async Task TheDocumentedExitCodes_ZeroOneThreeFour_EachForItsReason()
    {
        var id = Json((await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-EXIT", "--officer", "Inspector Wang",
            "--bank", "bank-beta", "--account", "6217002870099990002", "--amount", "10.00", "--json")).Out).GetProperty("exchangeId").GetString()!;
        Assert.Equal(0, (await Afx.RunAsync("cancel", id, "--hub", Address, "--as", "police-shenzhen")).Code);

        // 1: the hub refused the request (it is cancelled already, so it cannot be answered).
        var refused = await Afx.RunAsync("respond", "--hub", Address, "--as", "bank-beta", "--exchange", id, "--reject", "late");
        Assert.True(refused.Code == 1, $"exit {refused.Code}: {refused.Err}");

        // 3: nothing listens there.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var unreachable = await Afx.RunAsync("health", "--hub", $"https://127.0.0.1:{closed}", "--as", "bank-beta");
        Assert.True(unreachable.Code == 3, $"exit {unreachable.Code}: {unreachable.Err}");

        // 4: not permitted (another centre's exchange).
        Assert.Equal(4, (await Afx.RunAsync("get", id, "--hub", Address, "--as", "police-guangzhou")).Code);
    }

    [Fact]
    public async Task AKeyFileThatIsNotAKey_ExitsTwo_NamingTheFile()
    {
        var bad = Path.Combine(Path.GetTempPath(), "afx-bad-" + Guid.NewGuid().ToString("N")[..6] + ".key");
        await File.WriteAllTextAsync(bad, "not a key");
        var run = await Afx.RunAsync("health", "--hub", Address, "--cert", DevPki.PartnerCertPath("bank-alpha"), "--key", bad);
        Assert.True(run.Code == 2, $"exit {run.Code}: {run.Err}");
        Assert.Contains(bad, run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact]
    public async Task AMalformedProfileFile_ExitsTwo_NamingTheFile()
    {
        var profiles = Path.Combine(Path.GetTempPath(), "afx-profiles-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        await File.WriteAllTextAsync(profiles, "{ not json");
        var run = await Afx.RunAsync(new Dictionary<string, string> { ["AFX_PROFILES"] = profiles }, "health", "--profile", "pilot");
        Assert.True(run.Code == 2, $"exit {run.Code}: {run.Err}");
        Assert.Contains(profiles, run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Theory]
    [InlineData("verify-segment")]
    [InlineData("verify-inclusion")]
    [InlineData("verify-consistency")]
    [InlineData("evidence")]
    public async Task OfflineAuditCommands_HaveHelp(string command)
    {
        var run = await Afx.RunAsync("audit", command, "--help");
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("Usage:", run.Out);
        Assert.Contains("Example", run.Out);
        Assert.Equal(string.Empty, run.Err);
    }

    [Fact]
    public async Task AuditVerify_AgainstTwoDevHubsWithTheSameOrigin_KeepsTheirWitnessStatesApart()
    {
        var home = Path.Combine(Path.GetTempPath(), "afx-xdg-" + Guid.NewGuid().ToString("N")[..8]);
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home };
        using var other = await HubProcess.StartAsync($"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-other-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}");
        foreach (var address in new[] { Address, other.Address, Address, other.Address })
        {
            var run = await Afx.RunAsync(env, "audit", "verify", "--hub", address, "--as", "auditor-national");
            Assert.True(run.Code == 0, $"{address}: exit {run.Code}\n{run.Out}\n{run.Err}");
        }

        Assert.Equal(2, Directory.GetDirectories(Path.Combine(home, "afx", "witness")).Length);
    }

    [Fact]
    public async Task CtrlC_OnInboxFollow_ExitsZero()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DevPki.RepoRoot };
        foreach (var a in (string[])[DevPki.BuiltDll("src/Clients", "afx.dll"), "inbox", "--hub", Address, "--as", "carrier-west", "--follow"])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // The stream is open once the hub logs the subscription; give it a bounded number of looks.
        for (var i = 0; i < 300 && !hub.Hub.Log.Any(l => l.Contains("carrier-west subscribed", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
        }

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr} {await stdout}");
    }
}
