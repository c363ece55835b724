using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>
/// afx-hub keys rotate while the hub serves: the hub re-wraps the store's data keys under the new master key within a second and audits
/// it; nothing stored before or after is lost; the old key no longer opens the store. A rotation made while the hub is stopped is
/// finished at the next start.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afx-rotate-").FullName;

    private string KeyPath => Path.Combine(_dir, "master.key");

    private string[] Settings => [$"--Hub:Store:Path={_dir}/data/hub.db", $"--Hub:Store:KeyPath={KeyPath}"];

    [Fact]
    public async Task RotatingWhileServing_LosesNothing_IsAudited_AndRetiresTheOldKey()
    {
        KeyFilesForTests.NewMasterKey(KeyPath);
        var original = File.ReadAllText(KeyPath);
        string before, during;
        using (var hub = await HubProcess.StartAsync(Settings))
        {
            using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
            using var auditor = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("auditor-national"));
            var exchange = new ExchangeClient(police);
            before = (await exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000081001", 100_00))).ExchangeId;

            // Submissions keep going while the key changes under them.
            var load = Task.Run(async () =>
            {
                var ids = new List<string>();
                for (var i = 0; i < 40; i++)
                {
                    ids.Add((await exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000000820{i:D2}", 100_00))).ExchangeId);
                }

                return ids;
            });
            Assert.Equal(0, await Rotate());
            var ids = await load;
            during = ids[^1];

            AuditEntry? rotated = null;
            for (var look = 0; look < 100 && rotated is null; look++)
            {
                await Task.Delay(100);
                var entries = await new AuditClient(auditor).QueryAsync(new AuditQueryRequest
                {
                    Kinds = { AuditEventKind.ConfigurationChanged },
                    PageSize = 200,
                });
                rotated = entries.Entries.FirstOrDefault(e => e.Detail.Contains("Store master key", StringComparison.Ordinal)
                    && e.Detail.Contains("re-wrapped under the new master key", StringComparison.Ordinal));
            }

            Assert.NotNull(rotated);
            foreach (var id in ids)
            {
                Assert.Equal(id, (await exchange.GetAsync(new GetExchangeRequest { ExchangeId = id })).ExchangeId);
            }

            hub.Kill();
        }

        // The old key no longer opens the store; the new one opens everything, before and during the rotation.
        var old = Path.Combine(_dir, "old.key");
        KeyFilesForTests.NewMasterKey(old, original);
        var (code, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={_dir}/data/hub.db", $"--Hub:Store:KeyPath={old}"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("is wrapped under master key", output);

        using var again = await HubProcess.StartAsync(Settings);
        using var channel = GrpcChannel.ForAddress(again.Address, DevPki.ChannelOptions("police-shenzhen"));
        Assert.Equal(ExchangeState.Submitted, (await new ExchangeClient(channel).GetAsync(new GetExchangeRequest { ExchangeId = before })).State);
        Assert.Equal(during, (await new ExchangeClient(channel).GetAsync(new GetExchangeRequest { ExchangeId = during })).ExchangeId);
    }

    [Fact]
    public async Task ARotationWhileStopped_IsFinishedAtTheNextStart()
    {
        KeyFilesForTests.NewMasterKey(KeyPath);
        string id;
        using (var hub = await HubProcess.StartAsync(Settings))
        {
            using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
            id = (await new ExchangeClient(police).SubmitAsync(Requests.Freeze("bank-alpha", "6222000000083001", 100_00))).ExchangeId;
            hub.Kill();
        }

        Assert.Equal(0, await Rotate());
        using var again = await HubProcess.StartAsync(Settings);
        using var channel = GrpcChannel.ForAddress(again.Address, DevPki.ChannelOptions("police-shenzhen"));
        Assert.Equal(id, (await new ExchangeClient(channel).GetAsync(new GetExchangeRequest { ExchangeId = id })).ExchangeId);
        Assert.Contains(again.Log, l => l.Contains("Store master key rotated", StringComparison.Ordinal));

        // With the rotation finished, the previous key is no longer needed.
        File.Delete(KeyPath + ".previous");
        again.Kill();
        using var third = await HubProcess.StartAsync(Settings);
    }

    private async Task<int> Rotate()
    {
        using var rotate = DotnetProcess.Start(HubProcess.HubDll, ["keys", "rotate", $"--Hub:Store:KeyPath={KeyPath}"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await rotate.WaitForExitAsync(timeout.Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath + ".previous"));
        return rotate.ExitCode;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
