using AntiFraud.Exchange.Adapters.Bridge;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>
/// A bank that speaks only the fixed-width format answers police freezes through the bridge, with a
/// folder on disk as its only interface, against a real hub process over mutual TLS.
/// </summary>
public sealed class BridgeEndToEndTests(BridgeFixture fixture) : IClassFixture<BridgeFixture>
{
    private string NewFolder() => Path.Combine(fixture.Directory, "bank-" + Guid.NewGuid().ToString("N")[..6]);

    private static async Task<string> OutboxFile(string folder, string exchangeId) =>
        await BridgeFixture.Eventually(() => Task.FromResult(Directory.Exists(Path.Combine(folder, "outbox"))
            ? Directory.EnumerateFiles(Path.Combine(folder, "outbox")).FirstOrDefault(f => f.Contains(exchangeId, StringComparison.Ordinal))
            : null), $"the notice for {exchangeId} in outbox/");

    [Fact]
    public async Task LegacyBank_AnswersAPoliceFreeze_ThroughFilesOnly()
    {
        var folder = NewFolder();
        using var bridge = fixture.StartBridge("bank-beta", folder);
        using var police = fixture.Channel("police-shenzhen");
        var exchange = new ExchangeClient(police);
        var submitted = await exchange.SubmitAsync(BridgeFixture.Freeze("bank-beta", "e2e-" + Guid.NewGuid()));

        // The notice arrives as a fixed-width file, and the hub hears it was taken.
        var notice = await File.ReadAllBytesAsync(await OutboxFile(folder, submitted.ExchangeId));
        Assert.Equal(submitted.ExchangeId, LegacyBank.ExchangeIdOf(notice));
        await BridgeFixture.WaitForState(exchange, submitted.ExchangeId, ExchangeState.Acknowledged);

        // The bank's core system writes its result file by the layout.
        File.Delete(await OutboxFile(folder, submitted.ExchangeId));
        LegacyBank.Drop(folder, "result-0001.dat", LegacyBank.ResultFile(submitted.ExchangeId, "000000004980000"));

        var answered = await BridgeFixture.WaitForState(exchange, submitted.ExchangeId, ExchangeState.Answered);
        Assert.Equal(HoldStatus.Executed, answered.Result.Freeze.Status);
        Assert.Equal(4_980_000, answered.Result.Freeze.AmountHeld.MinorUnits);
        await BridgeFixture.Eventually(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(folder, "archive"), "result-0001.dat", SearchOption.AllDirectories).FirstOrDefault()),
            "the answer file in archive/");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(folder, "answers")));
    }

    [Fact]
    public async Task BadAnswerFile_IsKeptWithItsReason_AndAnswersAfterAFixAndResubmit()
    {
        var folder = NewFolder();
        using var bridge = fixture.StartBridge("bank-beta", folder);
        using var police = fixture.Channel("police-shenzhen");
        var exchange = new ExchangeClient(police);
        var submitted = await exchange.SubmitAsync(BridgeFixture.Freeze("bank-beta", "dead-" + Guid.NewGuid()));
        await OutboxFile(folder, submitted.ExchangeId);

        // Amount in yuan with a decimal point: the classic mistake in a fen column.
        LegacyBank.Drop(folder, "result-0002.dat", LegacyBank.ResultFile(submitted.ExchangeId, "000000049800.00"));
        var reason = await BridgeFixture.Eventually(() => Task.FromResult(File.Exists(Path.Combine(folder, "dead-letter", "result-0002.dat.reason"))
            ? File.ReadAllText(Path.Combine(folder, "dead-letter", "result-0002.dat.reason")) : null), "the dead letter's reason");
        Assert.Contains("position: line 2, column ", reason);
        Assert.Contains("field: AMOUNT-FEN", reason);
        Assert.Contains("decimal point", reason);
        Assert.True(File.Exists(Path.Combine(folder, "dead-letter", "result-0002.dat")), "the failed file is kept");
        Assert.NotEqual(ExchangeState.Answered, (await exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId })).State);

        var letters = bridge.Services.GetRequiredService<DeadLetters>();
        var listed = Assert.Single(letters.List());
        Assert.Equal("inbound", listed.Direction);

        // The operator fixes the file in place and re-submits it.
        await File.WriteAllBytesAsync(listed.Path, LegacyBank.ResultFile(submitted.ExchangeId, "000000004980000"));
        letters.Resubmit(listed.Name, _ => throw new InvalidOperationException("not outbound"));
        var answered = await BridgeFixture.WaitForState(exchange, submitted.ExchangeId, ExchangeState.Answered);
        Assert.Equal(4_980_000, answered.Result.Freeze.AmountHeld.MinorUnits);
        Assert.Empty(letters.List());
    }

    [Fact]
    public async Task AnswerForSomeoneElsesExchange_IsDeadLettered_WithTheHubsRefusal()
    {
        var folder = NewFolder();
        using var bridge = fixture.StartBridge("bank-beta", folder);
        LegacyBank.Drop(folder, "result-0003.dat", LegacyBank.ResultFile("ex-does-not-exist", "000000000000100"));
        var reason = await BridgeFixture.Eventually(() => Task.FromResult(File.Exists(Path.Combine(folder, "dead-letter", "result-0003.dat.reason"))
            ? File.ReadAllText(Path.Combine(folder, "dead-letter", "result-0003.dat.reason")) : null), "the dead letter's reason");
        Assert.Contains("the hub refused the answer: PermissionDenied", reason);
        Assert.Contains("exchange ex-does-not-exist", reason);
    }

    [Fact]
    public async Task HubDownAndBack_BridgeReconnects_AndNothingIsLost()
    {
        var folder = NewFolder();
        var port = FreePort();
        string[] hubSettings = [$"--Hub:Store:Path={fixture.Directory}/restart-{port}/hub.db", $"--Hub:Listen=127.0.0.1:{port}"];
        var address = $"https://127.0.0.1:{port}";

        // The bridge starts first and keeps trying while there is no hub.
        using var bridge = fixture.StartBridge("bank-beta", folder, address);
        await Task.Delay(1500);

        string first;
        using (var hub = await HubProcess.StartAsync(hubSettings))
        {
            using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
            first = (await new ExchangeClient(police).SubmitAsync(BridgeFixture.Freeze("bank-beta", "restart-1"))).ExchangeId;
            await OutboxFile(folder, first);
            hub.Kill();
        }

        // With the hub down, an answer waits in answers/: not lost, not dead-lettered.
        LegacyBank.Drop(folder, "result-down.dat", LegacyBank.ResultFile(first, "000000004980000"));
        await Task.Delay(1500);
        Assert.True(File.Exists(Path.Combine(folder, "answers", "result-down.dat")));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "dead-letter")));

        using var restarted = await HubProcess.StartAsync(hubSettings);
        using var channel = GrpcChannel.ForAddress(restarted.Address, DevPki.ChannelOptions("police-shenzhen"));
        var exchange = new ExchangeClient(channel);
        await BridgeFixture.WaitForState(exchange, first, ExchangeState.Answered);
        var second = (await exchange.SubmitAsync(BridgeFixture.Freeze("bank-beta", "restart-2"))).ExchangeId;
        await OutboxFile(folder, second);
    }

    /// <summary>
    /// A bridge whose identity the hub refuses (a certificate for an unregistered bank; an auditor, which
    /// has no inbox) says why and exits 4, instead of retrying against a hub that is up.
    /// </summary>
    [Theory]
    [InlineData("unregistered")]
    [InlineData("auditor")]
    public async Task RefusedIdentity_StopsTheBridge_WithExitCode4(string who)
    {
        using var certs = new TestCertificates();
        // An auditor has no inbox and submits nothing: the hub refuses it the Inbox (a police unit's bridge submits instead).
        var settings = fixture.BridgeSettings("auditor-national", NewFolder());
        if (who == "unregistered")
        {
            var stranger = certs.Issue("bank", "bank-unlisted");
            settings = [.. fixture.BridgeSettings("bank-unlisted", NewFolder()).Where(a => !a.StartsWith("--Bridge:Certificate=", StringComparison.Ordinal)
                && !a.StartsWith("--Bridge:Key=", StringComparison.Ordinal)), $"--Bridge:Certificate={stranger.Cert}", $"--Bridge:Key={stranger.Key}"];
        }

        using var bridge = StartBridgeProcess(settings);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bridge.WaitForExitAsync(timeout.Token);
        await Task.Delay(200);

        Assert.Equal(4, bridge.ExitCode);
        var output = string.Join('\n', bridge.Log);
        Assert.Contains("refused this bridge's identity", output, StringComparison.Ordinal);
        Assert.Contains(who == "unregistered" ? "Unauthenticated" : "PermissionDenied", output, StringComparison.Ordinal);
    }

    private static DotnetProcess StartBridgeProcess(string[] settings) =>
        DotnetProcess.Start(DevPki.BuiltDll("src/Adapters", "afx-bridge.dll"), ["run", .. settings]);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task BridgeKilledMidStream_ResumesWithoutLosingOrDuplicatingAFile()
    {
        var folder = NewFolder();
        using var police = fixture.Channel("police-shenzhen");
        var exchange = new ExchangeClient(police);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await exchange.SubmitAsync(BridgeFixture.Freeze("bank-alpha", $"crash-{Guid.NewGuid()}"))).ExchangeId);
        }

        // bank-alpha may have other work queued from earlier tests; only these 30 are counted.
        using (var first = StartBridgeProcess(fixture.BridgeSettings("bank-alpha", folder)))
        {
            await BridgeFixture.Eventually(() => Task.FromResult(Directory.Exists(Path.Combine(folder, "outbox"))
                && Directory.GetFiles(Path.Combine(folder, "outbox")).Length >= 3 ? "" : null), "the first files");
            first.Kill();
        }

        using (StartBridgeProcess(fixture.BridgeSettings("bank-alpha", folder)))
        {
            foreach (var id in ids)
            {
                await BridgeFixture.WaitForState(exchange, id, ExchangeState.Acknowledged);
            }
        }

        var files = Directory.GetFiles(Path.Combine(folder, "outbox")).Select(Path.GetFileName).ToList();
        foreach (var id in ids)
        {
            Assert.Single(files, f => f!.Contains(id, StringComparison.Ordinal));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "state", "tmp")));
    }
}
