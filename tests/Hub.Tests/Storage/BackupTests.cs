using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>afx-hub backup while the hub serves, restore into a new hub, and the old receipts verify there; a backup whose audit log was
/// altered is refused, and a restore never overwrites a store.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afx-backup-").FullName;

    private string KeyPath => Path.Combine(_dir, "master.key");

    [Fact]
    public async Task ABackupTakenWhileServing_RestoresIntoANewHub_WhereTheOldReceiptsVerify()
    {
        KeyFilesForTests.NewMasterKey(KeyPath);
        var receipts = new List<(string Id, Receipt Receipt)>();
        using (var hub = await HubProcess.StartAsync($"--Hub:Store:Path={_dir}/live/hub.db", $"--Hub:Store:KeyPath={KeyPath}"))
        {
            using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
            var exchange = new ExchangeClient(police);
            for (var i = 0; i < 20; i++)
            {
                var reply = await exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000000910{i:D2}", 100_00));
                receipts.Add((reply.ExchangeId, reply.Receipt));
            }

            // The hub keeps serving while the backup is taken.
            var load = Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000000920{i:D2}", 100_00));
                }
            });
            Assert.Equal(0, await RunAsync("backup", $"{_dir}/backup", $"--Hub:Store:Path={_dir}/live/hub.db"));
            await load;
            hub.Kill();
        }

        // An altered audit log in a copy of the backup is refused.
        CopyFolder($"{_dir}/backup", $"{_dir}/altered");
        var log = $"{_dir}/altered/audit/audit.log";
        var bytes = File.ReadAllBytes(log);
        bytes[bytes.Length / 3] ^= 0x01;
        File.WriteAllBytes(log, bytes);
        Assert.Equal(1, await RunAsync("restore", $"{_dir}/altered", $"--Hub:Store:Path={_dir}/tampered/hub.db"));
        Assert.False(File.Exists($"{_dir}/tampered/hub.db"));

        Assert.Equal(0, await RunAsync("restore", $"{_dir}/backup", $"--Hub:Store:Path={_dir}/restored/hub.db"));
        Assert.Equal(1, await RunAsync("restore", $"{_dir}/backup", $"--Hub:Store:Path={_dir}/restored/hub.db"));

        using var restored = await HubProcess.StartAsync($"--Hub:Store:Path={_dir}/restored/hub.db", $"--Hub:Store:KeyPath={KeyPath}");
        using var channel = GrpcChannel.ForAddress(restored.Address, DevPki.ChannelOptions("police-shenzhen"));
        foreach (var (id, receipt) in receipts)
        {
            Assert.Equal(id, (await new ExchangeClient(channel).GetAsync(new GetExchangeRequest { ExchangeId = id })).ExchangeId);
            var proof = await new AuditClient(channel).GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = receipt.LeafIndex });
            Assert.Equal(receipt.LeafHash, proof.LeafHash);
        }
    }

    private async Task<int> RunAsync(string command, string folder, string store)
    {
        using var process = DotnetProcess.Start(HubProcess.HubDll, [command, folder, store, $"--Hub:Store:KeyPath={KeyPath}"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await Task.Delay(100);
        return process.ExitCode;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
