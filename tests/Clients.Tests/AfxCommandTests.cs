using System.Text.Json;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>afx as police, bank and operator use it, against a real hub process over mTLS.</summary>
public sealed class AfxCommandTests(AfxCommandTests.HubFixture hub) : IClassFixture<AfxCommandTests.HubFixture>
{
    public sealed class HubFixture : IAsyncLifetime
    {
        public HubProcess Hub { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Hub = await HubProcess.StartAsync($"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-cli-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}");

        public Task DisposeAsync()
        {
            Hub.Dispose();
            return Task.CompletedTask;
        }
    }

    private string Address => hub.Hub.Address;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task Freeze_ThenInboxRespondAndWatch_GoesEndToEnd_WithJsonScriptsCanRead()
    {
        var @case = "SZ-CLI-" + Guid.NewGuid().ToString("N")[..6];
        var submitted = await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", @case, "--officer", "Inspector Wang", "--bank", "bank-beta",
            "--account", "6217002870012345678", "--amount", "30000.00", "--json");
        Assert.True(submitted.Code == 0, submitted.Err);
        var id = Json(submitted.Out).GetProperty("exchangeId").GetString()!;

        var inbox = await Afx.RunAsync("inbox", "--hub", Address, "--as", "bank-beta", "--json");
        Assert.Equal(0, inbox.Code);
        Assert.Contains(id, inbox.Out);

        var answered = await Afx.RunAsync("respond", "--hub", Address, "--as", "bank-beta", "--exchange", id, "--kind", "freeze", "--status", "executed", "--amount", "30000.00", "--json");
        Assert.True(answered.Code == 0, answered.Err);
        Assert.Equal("EXCHANGE_STATE_ANSWERED", Json(answered.Out).GetProperty("state").GetString());

        var watch = await Afx.RunAsync("watch", "--hub", Address, "--as", "police-shenzhen", "--exchange", id, "--until-done", "--json", "--timeout", "20");
        Assert.True(watch.Code == 0, watch.Err);
        var events = watch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).ToList();
        Assert.Equal("EXCHANGE_STATE_ANSWERED", events[^1].GetProperty("transition").GetProperty("to").GetString());

        var show = await Afx.RunAsync("case", "show", @case, "--hub", Address, "--as", "police-shenzhen");
        Assert.Equal(0, show.Code);
        Assert.Contains("ANSWERED", show.Out);
        Assert.Contains("Executed CNY 30,000.00", show.Out);
    }

    [Fact]
    public async Task Freeze_WithCertAndKeyFiles_AndAnIdempotencyKey_ReturnsTheSameExchangeTwice()
    {
        // --key is the partner's private key on every command; the idempotency key has its own flag.
        string[] args =
        [
            "freeze", "--hub", Address, "--cert", DevPki.PartnerCertPath("police-shenzhen"), "--key", DevPki.PartnerKeyPath("police-shenzhen"),
            "--case", "SZ-CLI-KEYS", "--officer", "Inspector Wang", "--bank", "bank-beta", "--account", "6217002870012345677", "--amount", "10.00",
            "--idempotency-key", "SZ-CLI-KEYS-1", "--json",
        ];
        var first = await Afx.RunAsync(args);
        Assert.True(first.Code == 0, first.Err);
        var again = await Afx.RunAsync(args);
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(Json(first.Out).GetProperty("exchangeId").GetString(), Json(again.Out).GetProperty("exchangeId").GetString());
    }

    [Fact]
    public async Task Respond_ToAnotherBanksExchange_ExitsFour_PermissionDenied()
    {
        var submitted = await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-CLI-DENY", "--officer", "Inspector Wang", "--bank", "bank-beta",
            "--account", "6217002870012345679", "--amount", "100.00", "--json");
        var id = Json(submitted.Out).GetProperty("exchangeId").GetString()!;
        var denied = await Afx.RunAsync("respond", "--hub", Address, "--as", "bank-alpha", "--exchange", id, "--reject", "not ours");
        Assert.Equal(4, denied.Code);
        Assert.Contains("PermissionDenied", denied.Err);
    }

    [Fact]
    public async Task Submit_InvalidRequest_ExitsOne_NamingTheField()
    {
        var refused = await Afx.RunAsync("trace-call", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-CLI-BAD", "--officer", "Inspector Wang", "--carrier", "carrier-east", "--called", "12345");
        Assert.Equal(1, refused.Code);
        Assert.Contains("InvalidArgument", refused.Err);
        Assert.Contains("called_number", refused.Err);
    }

    [Fact]
    public async Task Settings_MissingIdentityOrFile_ExitTwo_SayingWhereTheValueCameFrom()
    {
        var noIdentity = await Afx.RunAsync("freeze", "--hub", Address, "--case", "C", "--bank", "bank-beta", "--account", "1", "--amount", "1.00");
        Assert.Equal(2, noIdentity.Code);
        Assert.Contains("--as PARTNER", noIdentity.Err);

        var badCert = await Afx.RunAsync(new Dictionary<string, string> { ["AFX_CERT"] = "/nope/cert.pem", ["AFX_KEY"] = "/nope/key.pem" },
            "freeze", "--hub", Address, "--case", "C", "--bank", "bank-beta", "--account", "1", "--amount", "1.00");
        Assert.Equal(2, badCert.Code);
        Assert.Contains("(from AFX_CERT)", badCert.Err);

        var badAmount = await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "C", "--bank", "bank-beta", "--account", "1", "--amount", "12.345");
        Assert.Equal(2, badAmount.Code);
        Assert.Contains("--amount '12.345'", badAmount.Err);
    }

    [Fact]
    public async Task Profile_SuppliesTheConnection_AndAnErrorNamesTheProfile()
    {
        var file = Path.Combine(Path.GetTempPath(), "afx-profiles-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        await File.WriteAllTextAsync(file, $$"""
            { "profiles": {
                "sz": { "hub": "{{Address}}", "cert": "{{DevPki.PartnerCertPath("police-shenzhen")}}", "key": "{{DevPki.PartnerKeyPath("police-shenzhen")}}", "ca": "{{DevPki.RootCaPath}}" },
                "broken": { "hub": "{{Address}}", "cert": "/nope/broken.crt", "key": "/nope/broken.key" } } }
            """);
        var env = new Dictionary<string, string> { ["AFX_PROFILES"] = file };
        var ok = await Afx.RunAsync(env, "health", "--profile", "sz");
        Assert.True(ok.Code == 0, ok.Err);
        var broken = await Afx.RunAsync(env, "health", "--profile", "broken");
        Assert.Equal(2, broken.Code);
        Assert.Contains("profile 'broken'", broken.Err);
    }

    [Fact]
    public async Task Health_UnreachableHub_ExitsThree()
    {
        var run = await Afx.RunAsync("health", "--hub", "https://127.0.0.1:1", "--as", "police-shenzhen");
        Assert.Equal(3, run.Code);
    }

    [Fact]
    public async Task AuditVerify_AsAWitness_ChecksConsistencyOnTheSecondVisit()
    {
        var state = Path.Combine(Path.GetTempPath(), "afx-witness-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        var first = await Afx.RunAsync("audit", "verify", "--hub", Address, "--as", "auditor-national", "--state", state);
        Assert.True(first.Code == 0, first.Err + first.Out);
        Assert.Contains("signature verified", first.Out);
        await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-CLI-AUDIT", "--officer", "Inspector Wang", "--bank", "bank-beta", "--account", "6217002870012345670", "--amount", "1.00");
        var second = await Afx.RunAsync("audit", "verify", "--hub", Address, "--as", "auditor-national", "--state", state);
        Assert.Equal(0, second.Code);
        Assert.Contains("the log only grew", second.Out);
    }

    [Fact]
    public async Task AuditOpen_ThenVerifyOpeningOffline_AnotherBodyFailsWithExitOne_AndTheBankMayNotOpenTheSubmission()
    {
        var submitted = await Afx.RunAsync("freeze", "--hub", Address, "--as", "police-shenzhen", "--case", "SZ-CLI-OPEN", "--officer", "Inspector Wang",
            "--bank", "bank-beta", "--account", "6217002870012345671", "--amount", "1.00", "--json");
        Assert.True(submitted.Code == 0, submitted.Err);
        var index = Json(submitted.Out).GetProperty("receipt").GetProperty("leafIndex").ToString();
        var dir = Directory.CreateTempSubdirectory("afx-open-").FullName;
        var file = Path.Combine(dir, "opening.json");

        var open = await Afx.RunAsync("audit", "open", "--index", index, "--out", file, "--hub", Address, "--as", "police-shenzhen");
        Assert.True(open.Code == 0, open.Err + open.Out);
        Assert.Contains("SubmitRequest", open.Out);
        var verified = await Afx.RunAsync("audit", "verify-opening", file);
        Assert.True(verified.Code == 0, verified.Err + verified.Out);
        Assert.StartsWith("VERIFIED", verified.Out);

        var other = Path.Combine(dir, "other.bin");
        await File.WriteAllBytesAsync(other, [1, 2, 3]);
        var wrong = await Afx.RunAsync("audit", "verify-opening", file, "--body", other);
        Assert.Equal(1, wrong.Code);
        Assert.StartsWith("FAILED", wrong.Out);

        var exchange = Json(submitted.Out).GetProperty("exchangeId").GetString()!;
        var folder = Path.Combine(dir, "all");
        var all = await Afx.RunAsync("audit", "open", "--exchange", exchange, "--out", folder, "--hub", Address, "--as", "police-shenzhen");
        Assert.True(all.Code == 0, all.Err + all.Out);
        Assert.True(File.Exists(Path.Combine(folder, $"entry-{index}.json")), all.Out);
        var both = await Afx.RunAsync("audit", "open", "--index", index, "--exchange", exchange, "--out", folder, "--hub", Address, "--as", "police-shenzhen");
        Assert.Equal(2, both.Code);

        var bank = await Afx.RunAsync("audit", "open", "--index", index, "--out", Path.Combine(dir, "bank.json"), "--hub", Address, "--as", "bank-beta");
        Assert.NotEqual(0, bank.Code);
        Assert.Contains("neither sent by", bank.Err + bank.Out);
        Assert.False(File.Exists(Path.Combine(dir, "bank.json")));
    }

    [Fact]
    public async Task Help_HasExamples_AndTheExitCodes()
    {
        var root = await Afx.RunAsync("--help");
        Assert.Equal(0, root.Code);
        Assert.Contains("Exit codes: 0 success", root.Out);
        var freeze = await Afx.RunAsync("freeze", "--help");
        Assert.Contains("Example:", freeze.Out);
        Assert.Contains("--follow-money", freeze.Out);
    }
}
