using System.Security.Cryptography;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>The master key of encryption at rest: missing, malformed, shared with others or not the store's, start-up is refused with
/// the reason and nothing is stored in clear instead.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afx-store-key-").FullName;

    private string Key(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite) =>
        KeyFilesForTests.NewMasterKey(Path.Combine(_dir, name), content, mode);

    [Theory]
    [InlineData("missing", "does not exist. Make one with: openssl rand -hex 32")]
    [InlineData("malformed", "does not hold a 256-bit key (64 hex digits")]
    [InlineData("shared", "is readable by group or others (mode 644); the hub starts only with a private key file: chmod 600")]
    public async Task ABadKeyFile_StopsStartUp_NamingTheSetting(string flaw, string reason)
    {
        var path = flaw switch
        {
            "missing" => Path.Combine(_dir, "none.key"),
            "malformed" => Key("bad.key", "not a key"),
            _ => Key("shared.key", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        };
        var (code, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={_dir}/hub.db", $"--Hub:Store:KeyPath={path}"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("Hub:Store:KeyPath", output);
        Assert.Contains(reason, output);
        Assert.False(File.Exists(Path.Combine(_dir, "hub.db")), "nothing may be stored without a usable key");
    }

    [Fact]
    public async Task AnotherKey_ThanTheStoreWasWrittenWith_StopsStartUp()
    {
        var first = Key("first.key", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        using (var hub = await HubProcess.StartAsync($"--Hub:Store:Path={_dir}/hub.db", $"--Hub:Store:KeyPath={first}"))
        {
            hub.Kill();
        }

        var other = Key("other.key", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        var (code, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={_dir}/hub.db", $"--Hub:Store:KeyPath={other}"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("Hub:Store:KeyPath: the store's data key 1 is wrapped under master key", output);

        // The right key still opens it.
        using var again = await HubProcess.StartAsync($"--Hub:Store:Path={_dir}/hub.db", $"--Hub:Store:KeyPath={first}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
