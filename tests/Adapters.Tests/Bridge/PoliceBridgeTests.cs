using System.Text;
using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>A police case system that exports files: its requests/ folder is submitted with the unit's certificate.</summary>
public sealed class PoliceBridgeTests(BridgeFixture fixture) : IClassFixture<BridgeFixture>
{
    private string NewFolder() => Path.Combine(fixture.Directory, "police-" + Guid.NewGuid().ToString("N")[..6]);

    private static string SampleWithKey(string key)
    {
        var json = File.ReadAllText(Path.Combine(Samples.Folder, "json", "police-freeze-submit.json"));
        return json.Replace("\"SZ-2026-110-004217/freeze/1\"", $"\"{key}\"", StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestFile_IsSubmitted_TheReplyLandsInReceipts_AndTheFileIsArchived()
    {
        var folder = NewFolder();
        using var bridge = fixture.StartBridge("police-shenzhen", folder);
        var key = "bridge-" + Guid.NewGuid().ToString("N");
        var staged = Path.Combine(folder, "requests", "freeze-0001.json.part");
        // With a byte order mark, as many Windows case systems write UTF-8.
        await File.WriteAllTextAsync(staged, SampleWithKey(key), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        File.Move(staged, Path.Combine(folder, "requests", "freeze-0001.json"));

        var receipt = await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "receipts"), "*.receipt.json").FirstOrDefault()),
            "the receipt in receipts/");
        var reply = JsonDocument.Parse(await File.ReadAllTextAsync(receipt)).RootElement[0];
        var id = reply.GetProperty("exchangeId").GetString()!;
        Assert.StartsWith("ex-", id, StringComparison.Ordinal);

        using var police = fixture.Channel("police-shenzhen");
        var stored = await new ExchangeClient(police).GetAsync(new GetExchangeRequest { ExchangeId = id });
        Assert.Equal(key, stored.IdempotencyKey);
        await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "archive"), "freeze-0001.json",
            SearchOption.AllDirectories).FirstOrDefault()), "the request file in archive/");
    }

    [Fact]
    public async Task RefusedRequestFile_IsKeptWithTheHubsReason_AndResubmitsAfterAFix()
    {
        var folder = NewFolder();
        using var bridge = fixture.StartBridge("police-shenzhen", folder);
        var bad = SampleWithKey("bridge-bad-" + Guid.NewGuid().ToString("N")).Replace("\"+8613800138000\"", "\"13800138000\"", StringComparison.Ordinal);
        // Written as the folder contract asks: under a .part name, then renamed.
        await File.WriteAllTextAsync(Path.Combine(folder, "requests", "freeze-0002.json.part"), bad);
        File.Move(Path.Combine(folder, "requests", "freeze-0002.json.part"), Path.Combine(folder, "requests", "freeze-0002.json"));

        var reason = await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "dead-letter"), "*.reason").FirstOrDefault()),
            "the dead letter's reason");
        var text = await File.ReadAllTextAsync(reason);
        Assert.Contains("victim.phone.e164", text);
        Assert.Contains("InvalidArgument", text);

        // The operator fixes the number in place and re-submits it.
        var letter = reason[..^".reason".Length];
        await File.WriteAllTextAsync(letter, bad.Replace("\"13800138000\"", "\"+8613800138000\"", StringComparison.Ordinal));
        var letters = new Adapters.Bridge.DeadLetters(new Adapters.Bridge.BridgeFolders(folder), TimeProvider.System);
        letters.Resubmit(Path.GetFileName(letter), _ => throw new InvalidOperationException("a request file is not republished to outbox/"));
        await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "receipts"), "*.receipt.json").FirstOrDefault()),
            "the receipt after the fix");
    }
}
