using System.Text.Json;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>The commands for RPCs that had none: get, cancel, release, renewal, submit --file, audit query and export.</summary>
public sealed class ExchangeCommandTests(AfxCommandTests.HubFixture hub) : IClassFixture<AfxCommandTests.HubFixture>
{
    private string Address => hub.Hub.Address;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private async Task<string> SubmitAsync(params string[] args)
    {
        var run = await Afx.RunAsync([.. args, "--hub", Address, "--as", "police-shenzhen", "--json"]);
        Assert.True(run.Code == 0, run.Err);
        return Json(run.Out).GetProperty("exchangeId").GetString()!;
    }

    [Fact]
    public async Task GetAndCancel_ShowAndWithdrawAnExchange()
    {
        var id = await SubmitAsync("freeze", "--case", "SZ-CMD-1", "--officer", "Inspector Wang", "--bank", "bank-beta", "--account", "6217002870055550001",
            "--amount", "12.00");
        var get = await Afx.RunAsync("get", id, "--hub", Address, "--as", "police-shenzhen");
        Assert.True(get.Code == 0, get.Err);
        Assert.Contains("SUBMITTED", get.Out);

        var cancel = await Afx.RunAsync("cancel", id, "--hub", Address, "--as", "police-shenzhen", "--reason", "entered twice", "--json");
        Assert.True(cancel.Code == 0, cancel.Err);
        Assert.Equal("EXCHANGE_STATE_CANCELLED", Json(cancel.Out).GetProperty("state").GetString());

        var other = await Afx.RunAsync("get", id, "--hub", Address, "--as", "police-guangzhou");
        Assert.Equal(4, other.Code);
    }

    [Fact]
    public async Task ReleaseFreeze_AndRenewStopPayment_NameTheirEarlierExchange()
    {
        var freeze = await SubmitAsync("freeze", "--case", "SZ-CMD-2", "--officer", "Inspector Wang", "--bank", "bank-beta", "--account", "6217002870055550002",
            "--amount", "12.00");
        var release = await Afx.RunAsync("release-freeze", freeze, "--hub", Address, "--as", "police-shenzhen", "--reason", "returned", "--json");
        Assert.True(release.Code == 0, release.Err);
        var releaseId = Json(release.Out).GetProperty("exchangeId").GetString()!;
        var released = await Afx.RunAsync("get", releaseId, "--hub", Address, "--as", "police-shenzhen", "--json");
        Assert.Equal(freeze, Json(released.Out).GetProperty("request").GetProperty("freezeRelease").GetProperty("freezeExchangeId").GetString());

        var stop = await SubmitAsync("stop-payment", "--case", "SZ-CMD-2", "--bank", "bank-beta", "--account", "6217002870055550003", "--amount", "12.00");
        var renew = await Afx.RunAsync("renew-stop-payment", stop, "--hub", Address, "--as", "police-shenzhen", "--json");
        Assert.True(renew.Code == 0, renew.Err);

        var wrongKind = await Afx.RunAsync("release-freeze", stop, "--hub", Address, "--as", "police-shenzhen");
        Assert.Equal(2, wrongKind.Code);
        Assert.Contains("not a freeze", wrongKind.Err);
    }

    [Fact]
    public async Task ReturnFunds_PaysOutOfAnAnsweredHold_AndCaseShowAddsUpTheMoney()
    {
        var freeze = await SubmitAsync("freeze", "--case", "SZ-CMD-RETURN", "--officer", "Inspector Wang", "--bank", "bank-beta",
            "--account", "6217002870055550009", "--amount", "800.00", "--loss", "2000.00");
        var held = await Afx.RunAsync("respond", "--hub", Address, "--as", "bank-beta", "--exchange", freeze, "--kind", "freeze", "--status", "executed",
            "--amount", "800.00");
        Assert.True(held.Code == 0, held.Err);

        var order = await Afx.RunAsync("return-funds", freeze, "--hub", Address, "--as", "police-shenzhen", "--amount", "500.00", "--to-bank", "bank-alpha",
            "--to-account", "6222020200998877", "--to-name", "李小梅", "--decision", "深公返字〔2026〕7号", "--json");
        Assert.True(order.Code == 0, order.Err);
        var orderId = Json(order.Out).GetProperty("exchangeId").GetString()!;
        var paid = await Afx.RunAsync("respond", "--hub", Address, "--as", "bank-beta", "--exchange", orderId, "--kind", "return", "--status", "returned",
            "--amount", "500.00");
        Assert.True(paid.Code == 0, paid.Err);

        // More than the 300.00 the freeze still has: refused by the hub, exit 1, the figures named.
        var over = await Afx.RunAsync("return-funds", freeze, "--hub", Address, "--as", "police-shenzhen", "--amount", "300.01", "--to-bank", "bank-alpha",
            "--to-account", "6222020200998877", "--decision", "深公返字〔2026〕8号");
        Assert.Equal(1, over.Code);
        Assert.Contains("30000 left", over.Err + over.Out);

        var shown = await Afx.RunAsync("case", "show", "SZ-CMD-RETURN", "--hub", Address, "--as", "police-shenzhen");
        Assert.True(shown.Code == 0, shown.Err);
        Assert.Contains("reported loss CNY 2,000.00; stopped CNY 0.00, frozen CNY 800.00, returned CNY 500.00, released CNY 0.00; recovery rate 25.0%",
            shown.Out + "\n" + shown.Err);
    }

    [Fact]
    public async Task SubmitFile_SendsTheCanonicalJsonSample_AndTwiceGivesTheSameExchange()
    {
        var sample = Path.Combine(DevPki.RepoRoot, "docs", "samples", "json", "police-freeze-submit.json");
        var first = await Afx.RunAsync("submit", "--file", sample, "--hub", Address, "--as", "police-shenzhen", "--json");
        Assert.True(first.Code == 0, first.Err);
        var again = await Afx.RunAsync("submit", "--file", sample, "--hub", Address, "--as", "police-shenzhen", "--json");
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(Json(first.Out).GetProperty("exchangeId").GetString(), Json(again.Out).GetProperty("exchangeId").GetString());
        Assert.True(Json(again.Out).GetProperty("duplicate").GetBoolean());

        var broken = Path.Combine(Path.GetTempPath(), "afx-broken-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        await File.WriteAllTextAsync(broken, "{\"recipient\": 5}");
        var refused = await Afx.RunAsync("submit", "--file", broken, "--hub", Address, "--as", "police-shenzhen");
        Assert.Equal(2, refused.Code);
        Assert.Contains(broken, refused.Err);
    }

    [Fact]
    public async Task AuditQueryAndExport_ShowTheCaseAndWriteASegmentThatVerifies()
    {
        var id = await SubmitAsync("freeze", "--case", "SZ-CMD-AUDIT", "--officer", "Inspector Wang", "--bank", "bank-beta", "--account", "6217002870055550004",
            "--amount", "12.00");
        var query = await Afx.RunAsync("audit", "query", "--case", "SZ-CMD-AUDIT", "--hub", Address, "--as", "auditor-national");
        Assert.True(query.Code == 0, query.Err);
        Assert.Contains(id, query.Out);
        Assert.Contains("SUBMITTED", query.Out);

        var denied = await Afx.RunAsync("audit", "query", "--case", "SZ-CMD-AUDIT", "--hub", Address, "--as", "bank-beta");
        Assert.Equal(4, denied.Code);

        var segment = Path.Combine(Path.GetTempPath(), "afx-export-" + Guid.NewGuid().ToString("N")[..6] + ".log");
        var export = await Afx.RunAsync("audit", "export", "--out", segment, "--hub", Address, "--as", "auditor-national", "--json");
        Assert.True(export.Code == 0, export.Err);
        var origin = Json(export.Out).GetProperty("origin").GetString()!;
        var verify = await Afx.RunAsync("audit", "verify-segment", "--log", segment, "--checkpoint", segment + ".checkpoint", "--origin", origin);
        Assert.True(verify.Code == 0, verify.Out + verify.Err);
    }
}
