using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>
/// Keyed pseudonyms: HMAC-SHA256 under a key derived per recipient from the hub's masking secret, so
/// one recipient can link its records about the same person without learning the value, and two
/// recipients cannot link theirs.
/// </summary>
internal sealed class PseudonymKeys(byte[] secret)
{
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    // Keyed HMAC instances reused per thread: building one per value costs microseconds each.
    private readonly ThreadLocal<Dictionary<string, HMACSHA256>> _macs = new(() => new Dictionary<string,
        HMACSHA256>(StringComparer.Ordinal));

    public byte[] Pseudonym(string recipient, DataClass dataClass, ReadOnlySpan<byte> value)
    {
        var macs = _macs.Value!;
        if (!macs.TryGetValue(recipient, out var mac))
        {
            var key = _keys.GetOrAdd(recipient, static (r, s) => HMACSHA256.HashData(s, Encoding.UTF8.GetBytes("afx-pseudonym-v1\n" + r)),
                secret);
            macs[recipient] = mac = new HMACSHA256(key);
        }

        Span<byte> prefix = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(prefix, (int)dataClass);
        var input = new byte[4 + value.Length];
        prefix.CopyTo(input);
        value.CopyTo(input.AsSpan(4));
        return mac.ComputeHash(input);
    }

    /// <summary>Reads a hex secret of at least 32 bytes.</summary>
    public static PseudonymKeys Load(string path)
    {
        var secret = Convert.FromHexString(File.ReadAllText(path).Trim());
        return secret.Length >= 32 ? new PseudonymKeys(secret) : throw new InvalidOperationException($"Masking secret '{path}' must hold at least 32 bytes of hex.");
    }
}
