using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AntiFraud.Exchange.Protocol.Transparency;

/// <summary>A verified tree head: which log, how many entries, their root, and when it was signed.</summary>
public sealed record CheckpointBody(string Origin, long Size, byte[] RootHash, DateTimeOffset? Time);

/// <summary>
/// Checkpoints in the C2SP tlog-checkpoint format, as C2SP signed notes: the text is the origin line,
/// the tree size, the base64 root hash and an optional "time" extension line; the signature line is
/// "— KEYNAME base64(keyID || signature)". Signatures are ECDSA P-256 over SHA-256 of the note text
/// (signature type 0x02), DER-encoded, with keyID = SHA-256(DER SPKI public key)[:4].
/// </summary>
public static class SignedCheckpoint
{
    private const string Dash = "\u2014 ";

    public static string Sign(CheckpointBody body, string keyName, ECDsa key)
    {
        var text = new StringBuilder()
            .Append(body.Origin).Append('\n')
            .Append(body.Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(body.RootHash)).Append('\n');
        if (body.Time is { } time)
        {
            text.Append("time ").Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        var note = text.ToString();
        var signature = key.SignData(Encoding.UTF8.GetBytes(note), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var blob = new byte[4 + signature.Length];
        KeyId(key).CopyTo(blob, 0);
        signature.CopyTo(blob, 4);
        return note + "\n" + Dash + keyName + " " + Convert.ToBase64String(blob) + "\n";
    }

    /// <summary>The 4-byte key ID of signature type 0x02: the head of SHA-256 over the DER SPKI public key.</summary>
    public static byte[] KeyId(ECDsa key) => SHA256.HashData(key.ExportSubjectPublicKeyInfo())[..4];

    /// <summary>
    /// Parses and verifies a signed checkpoint with the log's public key. Throws
    /// <see cref="FormatException"/> for a malformed note and <see cref="CryptographicException"/>
    /// when no signature by this key verifies.
    /// </summary>
    public static CheckpointBody Verify(string signedNote, string keyName, ECDsa publicKey) => Verify(signedNote, keyName, [publicKey]);

    /// <summary>
    /// Verifies a checkpoint with whichever of the log's public keys signed it: a log whose signing key was rotated keeps every key it
    /// ever signed with, and a checkpoint verifies with the key that was in force when it was signed.
    /// </summary>
    public static CheckpointBody Verify(string signedNote, string keyName, IReadOnlyList<ECDsa> publicKeys)
    {
        if (publicKeys.Count == 0)
        {
            throw new CryptographicException("No public key of the log was given.");
        }

        CryptographicException? last = null;
        foreach (var key in publicKeys)
        {
            try
            {
                return VerifyOne(signedNote, keyName, key);
            }
            catch (CryptographicException ex)
            {
                last = ex;
            }
        }

        throw publicKeys.Count == 1 ? last! : new CryptographicException(
            $"The checkpoint verifies with none of the log's {publicKeys.Count} public keys: {last!.Message}", last);
    }

    /// <summary>Adds a signature by another key to a signed note (a key handover is signed by the old key and the new).</summary>
    public static string Cosign(string signedNote, string keyName, ECDsa key)
    {
        var split = signedNote.IndexOf("\n\n", StringComparison.Ordinal);
        var note = signedNote[..(split + 1)];
        var signature = key.SignData(Encoding.UTF8.GetBytes(note), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var blob = new byte[4 + signature.Length];
        KeyId(key).CopyTo(blob, 0);
        signature.CopyTo(blob, 4);
        return signedNote + Dash + keyName + " " + Convert.ToBase64String(blob) + "\n";
    }

    /// <summary>Every public key in a PEM text (one or more "PUBLIC KEY" blocks, oldest first, as a rotated log publishes them).</summary>
    public static IReadOnlyList<ECDsa> ReadPublicKeys(string pem)
    {
        var keys = new List<ECDsa>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("PUBLIC KEY") || label.SequenceEqual("EC PRIVATE KEY") || label.SequenceEqual("PRIVATE KEY"))
            {
                var key = ECDsa.Create();
                key.ImportFromPem(rest[fields.Location]);
                keys.Add(key);
            }

            rest = rest[fields.Location.End..];
        }

        return keys.Count > 0 ? keys : throw new ArgumentException("no PEM public key found");
    }

    private static CheckpointBody VerifyOne(string signedNote, string keyName, ECDsa publicKey)
    {
        var split = signedNote.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw new FormatException("Not a signed note: no blank line between the text and the signatures.");
        }

        var note = signedNote[..(split + 1)];
        var keyId = KeyId(publicKey);
        var verified = false;
        foreach (var line in signedNote[(split + 2)..].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith(Dash, StringComparison.Ordinal))
            {
                throw new FormatException($"Malformed signature line '{line}'.");
            }

            var parts = line[Dash.Length..].Split(' ');
            if (parts.Length != 2 || parts[0] != keyName)
            {
                continue;
            }

            var blob = Convert.FromBase64String(parts[1]);
            if (blob.Length < 5 || !blob.AsSpan(0, 4).SequenceEqual(keyId))
            {
                continue;
            }

            if (!publicKey.VerifyData(Encoding.UTF8.GetBytes(note), blob.AsSpan(4), HashAlgorithmName.SHA256,
                DSASignatureFormat.Rfc3279DerSequence))
            {
                throw new CryptographicException($"The checkpoint's signature by '{keyName}' does not verify: the note was altered or forged.");
            }

            verified = true;
        }

        if (!verified)
        {
            throw new CryptographicException($"The checkpoint carries no signature by '{keyName}' with key ID {Convert.ToHexStringLower(keyId)}.");
        }

        var lines = note.Split('\n');
        if (lines.Length < 4 || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw new FormatException("The checkpoint text must be: origin, tree size, base64 root hash.");
        }

        DateTimeOffset? time = null;
        foreach (var extension in lines.Skip(3))
        {
            if (extension.StartsWith("time ", StringComparison.Ordinal)
                && long.TryParse(extension.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        return new CheckpointBody(lines[0], size, Convert.FromBase64String(lines[2]), time);
    }
}
