using System.Text.Json;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>afx alert raise | claim | outcome | show and afx alerts: the early-warning story from the command line.</summary>
public sealed class AlertCommandTests(AfxCommandTests.HubFixture hub) : IClassFixture<AfxCommandTests.HubFixture>
{
    private string Address => hub.Hub.Address;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task CarrierAndBankRaise_TheStationDissuades_AndTheBankIsToldToRelease()
    {
        var phone = "+86139" + Random.Shared.Next(10_000_000, 99_999_999);
        var calls = await Afx.RunAsync("alert", "raise", "--hub", Address, "--as", "carrier-east", "--victim-phone", phone, "--division", "440304001",
            "--calls", "3", "--suspect-number", "+85230001234", "--international", "--spoofed", "--minutes", "42", "--tier", "high", "--json");
        Assert.True(calls.Code == 0, calls.Err);
        var alert = Json(calls.Out).GetProperty("alertId").GetString()!;

        var transfer = await Afx.RunAsync("alert", "raise", "--hub", Address, "--as", "bank-alpha", "--victim-phone", phone, "--transfer", "50000",
            "--payee-bank", "bank-beta", "--payee-account", "6222990000007777", "--paused");
        Assert.True(transfer.Code == 0, transfer.Err);
        Assert.Contains($"Fused into {alert}: tier CRITICAL", transfer.Out);

        var board = await Afx.RunAsync("alerts", "--hub", Address, "--as", "police-sz-futian-shatou", "--open");
        Assert.True(board.Code == 0, board.Err);
        Assert.Contains(alert, board.Out);
        Assert.Contains("CRITICAL", board.Out);
        Assert.Contains(phone, board.Out);

        Assert.Equal(0, (await Afx.RunAsync("alert", "claim", alert, "--hub", Address, "--as", "police-sz-futian-shatou")).Code);
        var outcome = await Afx.RunAsync("alert", "outcome", alert, "dissuaded", "--hub", Address, "--as", "police-sz-futian-shatou", "--note", "on site");
        Assert.True(outcome.Code == 0, outcome.Err);
        Assert.Contains("CLOSED", outcome.Out);

        var show = await Afx.RunAsync("alert", "show", alert, "--hub", Address, "--as", "bank-alpha", "--json");
        Assert.Equal("HOLD_ADVICE_RELEASE_TO_CUSTOMER", Json(show.Out).GetProperty("holdAdvice").GetString());
        Assert.DoesNotContain("+85230001234", show.Out);

        var figures = await Afx.RunAsync("alerts", "figures", "--hub", Address, "--as", "auditor-national");
        Assert.True(figures.Code == 0, figures.Err);
        Assert.Contains("bank-alpha", figures.Out);
    }

    [Fact]
    public async Task Mistakes_GetUsageOrRefusalExitCodes()
    {
        var none = await Afx.RunAsync("alert", "raise", "--hub", Address, "--as", "bank-alpha", "--victim-phone", "+8613800138000");
        Assert.Equal(2, none.Code);
        Assert.Contains("exactly one of", none.Err);
        var badTier = await Afx.RunAsync("alert", "raise", "--hub", Address, "--as", "bank-alpha", "--victim-phone", "+8613800138000", "--transfer", "1",
            "--payee-account", "1", "--tier", "urgent");
        Assert.Equal(2, badTier.Code);
        var wrongKind = await Afx.RunAsync("alert", "raise", "--hub", Address, "--as", "carrier-east", "--victim-phone", "+8613800138000", "--transfer", "1",
            "--payee-account", "1");
        Assert.Equal(4, wrongKind.Code);
        var notMine = await Afx.RunAsync("alert", "show", "al-0000", "--hub", Address, "--as", "bank-beta");
        Assert.Equal(4, notMine.Code);
    }
}
