using System.Collections;

namespace AntiFraud.Exchange.Protocol.Wire;

/// <summary>
/// gRPC custom metadata: lower-case ASCII keys; keys ending in <c>-bin</c> carry binary values that
/// travel base64-encoded.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    public Metadata Add(string key, string value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    public Metadata Add(string key, byte[] value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    public Metadata Add(Entry entry)
    {
        _entries.Add(entry);
        return this;
    }

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i];
            }
        }

        return null;
    }

    public string? GetValue(string key) => Get(key)?.Value;

    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One metadata entry. Binary entries expose <see cref="ValueBytes"/>, text entries <see cref="Value"/>.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        public Entry(string key, string value)
        {
            Key = ValidateKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{key}' ends in '-bin' and needs a binary value.", nameof(key));
            }

            foreach (var c in value)
            {
                if (c is < ' ' or > '~')
                {
                    throw new ArgumentException($"Metadata value for '{key}' must be printable ASCII; use a '-bin' key for other data.", nameof(value));
                }
            }

            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = ValidateKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{key}' carries a binary value and must end in '-bin'.", nameof(key));
            }

            _bytes = value;
        }

        public string Key { get; }

        public bool IsBinary => _bytes is not null;

        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary; read ValueBytes.");

        public byte[] ValueBytes => _bytes ?? throw new InvalidOperationException($"Metadata entry '{Key}' is text; read Value.");

        public override string ToString() => IsBinary ? $"{Key}={Convert.ToBase64String(_bytes!)}" : $"{Key}={_value}";

        private static string ValidateKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            foreach (var c in key)
            {
                var ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' or '.';
                if (!ok)
                {
                    throw new ArgumentException($"Metadata key '{key}' has a character outside [a-z0-9-_.].", nameof(key));
                }
            }

            return key.ToLowerInvariant();
        }
    }
}
