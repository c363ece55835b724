using System.Security.Cryptography;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>The hub's files are its own: the store, its WAL, the audit log and checkpoint are 0600, their folders 0700, whatever the
/// umask it was started with; a pseudonym secret others can read stops start-up.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afx-private-").FullName;

    [Fact]
    public async Task TheStoreTheWalAndTheAuditFiles_AreTheHubsAlone()
    {
        var data = Path.Combine(_dir, "data");
        using (var hub = await HubProcess.StartAsync($"--Hub:Store:Path={data}/hub.db"))
        {
            using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
            await new ExchangeClient(police).SubmitAsync(Requests.Freeze("bank-alpha", "6222000000071001", 100_00));
            hub.Kill();
        }

        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode folder = file | UnixFileMode.UserExecute;
        Assert.Equal(folder, File.GetUnixFileMode(data));
        Assert.Equal(folder, File.GetUnixFileMode(Path.Combine(data, "audit")));
        var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(Path.Combine(data, "hub.db-wal"), files);
        Assert.Contains(files, f => f.StartsWith(Path.Combine(data, "audit"), StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == file, $"{f} is {File.GetUnixFileMode(f)}"));
    }

    [Fact]
    public async Task APseudonymSecretOthersCanRead_StopsStartUp()
    {
        var secret = Path.Combine(_dir, "masking.key");
        File.WriteAllText(secret, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (code, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={_dir}/hub.db", $"--Hub:Masking:SecretPath={secret}"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains($"Hub:Masking:SecretPath: '{secret}' is readable by group or others (mode 644)", output);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
