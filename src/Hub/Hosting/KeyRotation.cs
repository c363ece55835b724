using System.Security.Cryptography;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// <c>afx-hub keys rotate</c>: a new store master key. Writes a fresh 256-bit key to <c>Hub:Store:KeyPath</c> (0600, through a temporary
/// file and a rename) and keeps the one it replaces as <c>KEY.previous</c>. A running hub sees the new file within a second, re-wraps
/// every data key under it in one write and audits the rotation; a stopped hub does the same at its next start (it opens the store with
/// KEY.previous). Stored values are not re-encrypted: the data keys stay, only their wrapping changes.
/// </summary>
internal static class KeyRotation
{
    public const string Usage = """
        afx-hub keys rotate [--Hub:Store:KeyPath=FILE] [other --Hub:* settings]

        Makes a new store master key in Hub:Store:KeyPath (the old one is kept as FILE.previous). A running hub re-wraps the store's
        data keys under it within a second and writes the rotation to the audit log (CONFIGURATION_CHANGED); a stopped hub does so at
        its next start. With several replicas on one Redis, give every replica the new key file (and the .previous one).
        """;

    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var (options, paths) = HubHost.ReadSettings(args);
        var path = paths.Resolve(options.Store.KeyPath);
        var development = paths.IsDevelopmentMaterial(path);
        var current = StoreKeyring.ReadMasterKey(path, "Hub:Store:KeyPath", development);
        var next = RandomNumberGenerator.GetBytes(32);

        WritePrivate(path + ".previous", current);
        WritePrivate(path + ".next", next);
        File.Move(path + ".next", path, overwrite: true);
        Console.WriteLine($"New store master key {StoreKeyring.Fingerprint(next)} in {path} (the previous one, {StoreKeyring.Fingerprint(current)}, "
            + $"kept as {path}.previous).");
        Console.WriteLine("A running hub re-wraps the store's data keys under it within a second and audits the rotation (CONFIGURATION_CHANGED); "
            + "a stopped hub does so at its next start. Keep the .previous file until then.");
        if (development)
        {
            Console.WriteLine("This is the development key in certs-dev/: do not commit the new one.");
        }

        return 0;
    }

    private static void WritePrivate(string path, byte[] key)
    {
        File.WriteAllText(path, Convert.ToHexStringLower(key) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
