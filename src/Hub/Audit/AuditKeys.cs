using System.Security.Cryptography;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// audit.keys beside the log: the public key of every signing key the log was ever signed with, oldest first, as PEM. Appended (and
/// synced) before a new key signs anything, so every checkpoint in the log's history verifies with a key listed here, and an offline
/// verifier can be given this file as it is.
/// </summary>
internal static class AuditKeys
{
    public const string FileName = "audit.keys";

    /// <summary>The keys listed beside the log, with <paramref name="current"/> added (and written) when it is not among them yet.</summary>
    public static IReadOnlyList<ECDsa> Open(string directory, ECDsa current)
    {
        var path = Path.Combine(directory, FileName);
        var listed = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        var keys = listed.Contains("-----BEGIN", StringComparison.Ordinal) ? [.. SignedCheckpoint.ReadPublicKeys(listed)] : new List<ECDsa>();
        if (!keys.Any(k => Same(k, current)))
        {
            Append(directory, current);
            keys.Add(current);
        }

        return keys;
    }

    public static void Append(string directory, ECDsa key)
    {
        using var file = new FileStream(Path.Combine(directory, FileName), FileMode.Append, FileAccess.Write, FileShare.Read);
        file.Write(System.Text.Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem() + "\n"));
        file.Flush(flushToDisk: true);
    }

    public static bool Same(ECDsa a, ECDsa b) => a.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(b.ExportSubjectPublicKeyInfo());

    public static string Id(ECDsa key) => Convert.ToHexStringLower(SignedCheckpoint.KeyId(key));
}
