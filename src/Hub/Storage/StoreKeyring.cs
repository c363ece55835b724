using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>A data key as the store keeps it: wrapped (AES-256-GCM) under a master key, named by that key's fingerprint.</summary>
public sealed record WrappedDataKey(ushort Id, string Master, byte[] Wrapped);

/// <summary>A master key that does not open the store's data keys, or a key file that is missing, malformed or not private.</summary>
public sealed class StoreKeyException(string message) : Exception(message);

/// <summary>
/// Envelope keys: the data keys that seal stored values live in the store itself (SQLite table <c>data_keys</c>, Redis hash
/// <c>datakeys</c>), each wrapped under the master key from <c>Hub:Store:KeyPath</c>. Every replica on one Redis shares them.
/// A missing, malformed or wrong master key stops start-up with the reason; the hub never falls back to storing in clear.
/// </summary>
public static class StoreKeyring
{
    /// <summary>Reads a 256-bit master key (64 hex digits). The file must be readable by its owner only (0600).</summary>
    /// <param name="developmentMaterial">The committed dev key (certs-dev/): tightened to 0600 instead of refused.</param>
    public static byte[] ReadMasterKey(string path, string setting, bool developmentMaterial)
    {
        if (!File.Exists(path))
        {
            throw new StoreKeyException($"{setting}: '{path}' does not exist. Make one with: openssl rand -hex 32 > {path} && chmod 600 {path}");
        }

        KeyFiles.RequirePrivate(path, setting, developmentMaterial);
        byte[] key;
        try
        {
            key = Convert.FromHexString(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            key = [];
        }

        return key.Length == 32 ? key : throw new StoreKeyException($"{setting}: '{path}' does not hold a 256-bit key (64 hex digits, as 'openssl rand -hex 32' writes).");
    }

    /// <summary>The first 16 hex digits of the key's SHA-256: names a master key without revealing it.</summary>
    public static string Fingerprint(byte[] master) => Convert.ToHexStringLower(SHA256.HashData(master))[..16];

    /// <summary>The data keys, unwrapped; when the store has none yet, a new one is made and saved (<paramref name="save"/> returns the
    /// key set the store holds afterwards, which another replica may have written first).</summary>
    /// <param name="previous">The master key before the last rotation (<c>KEY.previous</c>, which <c>afx-hub keys rotate</c> keeps), if any:
    /// data keys still wrapped under it are opened with it, and the caller re-wraps them (see <see cref="StoreCipher.RotatedFrom"/>).</param>
    public static StoreCipher Open(IReadOnlyList<WrappedDataKey> stored, byte[] master, Func<WrappedDataKey, IReadOnlyList<WrappedDataKey>> save,
        bool enabled, byte[]? previous = null)
    {
        if (stored.Count == 0)
        {
            stored = save(Wrap(master, 1, RandomNumberGenerator.GetBytes(32)));
        }

        var fingerprint = Fingerprint(master);
        var keys = new Dictionary<ushort, byte[]>();
        string? rotatedFrom = null;
        foreach (var k in stored)
        {
            if (k.Master != fingerprint && previous is not null && k.Master == Fingerprint(previous))
            {
                keys[k.Id] = Unwrap(previous, k);
                rotatedFrom = k.Master;
                continue;
            }

            if (k.Master != fingerprint)
            {
                throw new StoreKeyException($"Hub:Store:KeyPath: the store's data key {k.Id} is wrapped under master key {k.Master}, but the "
                    + $"key file holds {fingerprint}. Start with the master key the store was written with (or rotate to this one with it).");
            }

            keys[k.Id] = Unwrap(master, k);
        }

        return new StoreCipher(keys, enabled) { MasterFingerprint = fingerprint, RotatedFrom = rotatedFrom };
    }

    /// <summary>Every data key wrapped under <paramref name="master"/>, for the store to write in one go.</summary>
    public static IReadOnlyList<WrappedDataKey> WrapAll(StoreCipher cipher, byte[] master) =>
        [.. cipher.DataKeys.OrderBy(k => k.Key).Select(k => Wrap(master, k.Key, k.Value))];

    /// <summary>The previous master key, kept beside the current one by a rotation (<c>KEY.previous</c>), or null.</summary>
    public static byte[]? ReadPrevious(string path, bool developmentMaterial) =>
        File.Exists(path + ".previous") ? ReadMasterKey(path + ".previous", "Hub:Store:KeyPath (.previous)", developmentMaterial) : null;

    public static WrappedDataKey Wrap(byte[] master, ushort id, byte[] dataKey)
    {
        var wrapped = new byte[12 + dataKey.Length + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var aes = new AesGcm(master, 16);
        aes.Encrypt(wrapped.AsSpan(0, 12), dataKey, wrapped.AsSpan(12, dataKey.Length), wrapped.AsSpan(12 + dataKey.Length), Aad(id));
        return new WrappedDataKey(id, Fingerprint(master), wrapped);
    }

    private static byte[] Unwrap(byte[] master, WrappedDataKey k)
    {
        var key = new byte[k.Wrapped.Length - 28];
        try
        {
            using var aes = new AesGcm(master, 16);
            aes.Decrypt(k.Wrapped.AsSpan(0, 12), k.Wrapped.AsSpan(12, key.Length), k.Wrapped.AsSpan(12 + key.Length), key, Aad(k.Id));
        }
        catch (CryptographicException)
        {
            throw new StoreKeyException($"Hub:Store:KeyPath: the master key does not open the store's data key {k.Id} (the store or its key ring was "
                + "altered, or this is another key with the same fingerprint).");
        }

        return key;
    }

    private static byte[] Aad(ushort id)
    {
        var aad = Encoding.ASCII.GetBytes("afx-data-key\n\0\0");
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(aad.Length - 2), id);
        return aad;
    }
}
