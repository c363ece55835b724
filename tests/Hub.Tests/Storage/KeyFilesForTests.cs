using System.Security.Cryptography;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>Store master keys as an operator makes them: 64 hex digits in a file only its owner reads.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class KeyFilesForTests
{
    public static string NewMasterKey(string path, string? content = null, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.WriteAllText(path, content ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
