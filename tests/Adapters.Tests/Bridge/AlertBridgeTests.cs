using System.Text.Json;
using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>A bank's risk engine and a carrier's fraud-call platform export CSV files; their bridges raise them as early warnings.</summary>
public sealed class AlertBridgeTests(BridgeFixture fixture) : IClassFixture<BridgeFixture>
{
    private string NewFolder(string who) => Path.Combine(fixture.Directory, who + "-" + Guid.NewGuid().ToString("N")[..6]);

    private static string Sample(string name) => File.ReadAllText(Path.Combine(Samples.Folder, "alert-csv", name));

    /// <summary>The sample with its times moved to an hour ago: the hub refuses warnings from the future or from last month.</summary>
    private static string Recent(string name) => System.Text.RegularExpressions.Regex.Replace(Sample(name),
        @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssK",
            System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<JsonElement> Receipt(string folder) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(await BridgeFixture.Eventually(
            () => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "receipts"), "*.receipt.json").FirstOrDefault()), "the receipt in receipts/")))
            .RootElement;

    private static void Drop(string folder, string name, string content)
    {
        File.WriteAllText(Path.Combine(folder, "alerts", name + ".part"), content);
        File.Move(Path.Combine(folder, "alerts", name + ".part"), Path.Combine(folder, "alerts", name));
    }

    [Fact]
    public async Task BankAndCarrierExports_AreRaised_AndFuseAboutTheSamePerson()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var bankFolder = NewFolder("bank");
        var carrierFolder = NewFolder("carrier");
        using var bank = fixture.StartBridge("bank-alpha", bankFolder);
        using var carrier = fixture.StartBridge("carrier-east", carrierFolder);

        Drop(carrierFolder, "calls.csv", Recent("carrier-alerts.csv").Replace("FRAUD-", "FRAUD-" + run, StringComparison.Ordinal)
            .Replace("CARDS-", "CARDS-" + run, StringComparison.Ordinal));
        var calls = await Receipt(carrierFolder);
        Assert.Equal(3, calls.GetArrayLength());
        var alertId = calls[0].GetProperty("alertId").GetString()!;

        Drop(bankFolder, "risk.csv", Recent("bank-alerts.csv").Replace("RISK-", "RISK-" + run, StringComparison.Ordinal));
        var transfers = await Receipt(bankFolder);
        Assert.Equal(2, transfers.GetArrayLength());
        Assert.Equal(alertId, transfers[0].GetProperty("alertId").GetString());
        Assert.True(transfers[0].GetProperty("fused").GetBoolean());
        Assert.Equal("PRIORITY_CRITICAL", transfers[0].GetProperty("tier").GetString());

        using var station = fixture.Channel("police-sz-futian-shatou");
        var alert = await new AlertsClient(station).GetAsync(new GetAlertRequest { AlertId = alertId });
        Assert.Contains(alert.Signals, s => s.BankTransfer is { Paused: true, Amount.MinorUnits: 50_000_00 });
        Assert.Contains(alert.Signals, s => s.SuspiciousCalls is { Count: 3, International: true, SpoofingSuspected: true });
        await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(bankFolder, "archive"), "risk.csv",
            SearchOption.AllDirectories).FirstOrDefault()), "the export in archive/");
    }

    [Fact]
    public async Task BadExport_IsKeptWithItsReason_NamingTheLineAndField()
    {
        var folder = NewFolder("bank");
        using var bank = fixture.StartBridge("bank-alpha", folder);
        Drop(folder, "risk-bad.csv", Sample("bank-alerts.csv").Replace(",HIGH,", ",URGENT,", StringComparison.Ordinal));
        var reason = await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "dead-letter"), "*.reason")
            .FirstOrDefault()), "the dead letter's reason");
        var text = await File.ReadAllTextAsync(reason);
        Assert.Contains("suggested_tier", text);
        Assert.Contains("line 2", text);
        Assert.Contains("alert", text);
    }

    [Theory]
    [InlineData("bank-alerts.csv", ",50000.00,", ",50000.001,", "amount")]
    [InlineData("bank-alerts.csv", ",Y,", ",maybe,", "paused")]
    [InlineData("carrier-alerts.csv", ",CALL,", ",FAX,", "kind")]
    [InlineData("carrier-alerts.csv", "2026-12-02T16:50:00+08:00", "02/12/2026", "first_at")]
    public void Translation_NamesTheField(string sample, string from, string to, string field)
    {
        var e = Assert.Throws<TranslationException>(() => AlertCsv.Read(System.Text.Encoding.UTF8.GetBytes(
            Sample(sample).Replace(from, to, StringComparison.Ordinal))));
        Assert.Equal(field, e.Field);
        Assert.StartsWith("line 2", e.Position, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_ReadToTheirAlerts()
    {
        var bank = AlertCsv.Read(File.ReadAllBytes(Path.Combine(Samples.Folder, "alert-csv", "bank-alerts.csv")));
        Assert.Equal(["RISK-20261202-000117", "RISK-20261202-000118"], bank.Select(a => a.IdempotencyKey));
        Assert.Equal("customer insisted on a \"safe account\" named by a caller", bank[0].Signal.Note);
        Assert.Equal(Priority.High, bank[0].Signal.SuggestedTier);
        Assert.False(bank[1].Signal.BankTransfer.Paused);
        var carrier = AlertCsv.Read(File.ReadAllBytes(Path.Combine(Samples.Folder, "alert-csv", "carrier-alerts.csv")));
        Assert.Equal(CommunicationKind.Sms, carrier[1].Signal.SuspiciousCalls.Kind);
        Assert.Equal(6u, carrier[2].Signal.CardOpening.CardsOpened);
        Assert.Equal(TimeSpan.FromSeconds(2520), carrier[0].Signal.SuspiciousCalls.TotalDuration.ToTimeSpan());
    }
}
