using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// Encryption at rest of everything the stores write that can hold personal data: each record, event, alert, list entry and
/// bulk item is sealed with AES-256-GCM under a data key before it reaches SQLite or Redis, and opened after it is read.
/// A sealed value is <c>0xAE, key id (2 bytes), nonce (12), ciphertext, tag (16)</c>; 0xAE can never start a protobuf message
/// (wire type 6), so a value written before encryption was turned on is still read, and every write is sealed. Lookups on a
/// personal value (a held account) use a keyed hash (blind index), never the value.
/// </summary>
public sealed class StoreCipher
{
    public const byte Marker = 0xAE;
    private const int Header = 3;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Dictionary<ushort, byte[]> _keys;
    private readonly ushort _current;
    private readonly ThreadLocal<Dictionary<ushort, AesGcm>> _aes;
    private readonly ThreadLocal<HMACSHA256> _index;

    /// <param name="keys">The data keys by id (unwrapped); new values are sealed under the highest id.</param>
    public StoreCipher(IReadOnlyDictionary<ushort, byte[]> keys, bool enabled = true)
    {
        _keys = keys.ToDictionary(k => k.Key, k => k.Value);
        _current = _keys.Keys.Max();
        Enabled = enabled;
        _aes = new ThreadLocal<Dictionary<ushort, AesGcm>>(() => []);
        // The blind index key follows from the first data key, which never changes (a new master key only re-wraps it).
        var indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, _keys[_keys.Keys.Min()], 32, info: "afx-blind-index-v1"u8.ToArray());
        _index = new ThreadLocal<HMACSHA256>(() => new HMACSHA256(indexKey));
    }

    /// <summary>False only on a development hub told to store in clear (for the benchmark that measures what sealing costs).</summary>
    public bool Enabled { get; }

    public ushort CurrentKeyId => _current;

    /// <summary>The fingerprint of the master key the data keys are wrapped under now.</summary>
    public string MasterFingerprint { get; internal set; } = "";

    /// <summary>Set when the store's data keys were found under the previous master key (a rotation made while the hub was stopped):
    /// its fingerprint. The store re-wraps them under the current key at start.</summary>
    public string? RotatedFrom { get; internal set; }

    /// <summary>The data keys, unwrapped, for re-wrapping under a new master key.</summary>
    internal IReadOnlyDictionary<ushort, byte[]> DataKeys => _keys;

    public byte[] Seal(IMessage message) => Seal(message.ToByteArray());

    public byte[] Seal(ReadOnlySpan<byte> plain)
    {
        if (!Enabled)
        {
            return plain.ToArray();
        }

        var sealedValue = new byte[Header + NonceSize + plain.Length + TagSize];
        sealedValue[0] = Marker;
        BinaryPrimitives.WriteUInt16BigEndian(sealedValue.AsSpan(1), _current);
        var nonce = sealedValue.AsSpan(Header, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        Aes(_current).Encrypt(nonce, plain, sealedValue.AsSpan(Header + NonceSize, plain.Length), sealedValue.AsSpan(sealedValue.Length - TagSize),
            sealedValue.AsSpan(0, Header));
        return sealedValue;
    }

    public T Open<T>(MessageParser<T> parser, ReadOnlySpan<byte> stored)
        where T : IMessage<T> =>
        stored.Length > 0 && stored[0] == Marker ? parser.ParseFrom(OpenBytes(stored)) : parser.ParseFrom(stored);

    public T Open<T>(MessageParser<T> parser, byte[] stored)
        where T : IMessage<T> => Open(parser, stored.AsSpan());

    private byte[] OpenBytes(ReadOnlySpan<byte> stored)
    {
        if (stored.Length < Header + NonceSize + TagSize)
        {
            throw new CryptographicException("A sealed value in the store is cut short.");
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(stored[1..]);
        var plain = new byte[stored.Length - Header - NonceSize - TagSize];
        Aes(id).Decrypt(stored.Slice(Header, NonceSize), stored.Slice(Header + NonceSize, plain.Length), stored[^TagSize..], plain, stored[..Header]);
        return plain;
    }

    private AesGcm Aes(ushort id)
    {
        var table = _aes.Value!;
        if (!table.TryGetValue(id, out var aes))
        {
            table[id] = aes = new AesGcm(_keys.TryGetValue(id, out var key) ? key
                : throw new CryptographicException($"The store holds a value sealed under data key {id}, which the key ring does not have."), TagSize);
        }

        return aes;
    }

    /// <summary>A keyed hash of a personal value for lookups (32 hex digits): equal values give equal indexes, and nothing else.</summary>
    public string BlindIndex(string value) => Convert.ToHexStringLower(_index.Value!.ComputeHash(Encoding.UTF8.GetBytes(value)).AsSpan(0, 16));
}
