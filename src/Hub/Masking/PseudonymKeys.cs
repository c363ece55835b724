using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>
/// Keyed pseudonyms: HMAC-SHA256 under a key derived per recipient from the hub's masking secret, so
/// one recipient can link its records about the same person without learning the value, and two
/// recipients cannot link theirs. The secret is re-read when its file changes (rotation without a
/// restart): pseudonyms given from then on are under the new secret, so a recipient links records
/// within one secret's period and not across it.
/// </summary>
internal sealed class PseudonymKeys
{
    private const int MinimumBytes = 32;

    private readonly ReloadingFile<Secret>? _file;
    private readonly Secret _fixed;

    // Keyed HMAC instances reused per thread: building one per value costs microseconds each. Tagged with the secret they were keyed
    // under, so a rotation replaces them on each thread's next use.
    private readonly ThreadLocal<(Secret Secret, Dictionary<string, HMACSHA256> Macs)> _macs = new();

    /// <summary>A fixed secret (tests).</summary>
    public PseudonymKeys(byte[] secret) => _fixed = new Secret(Checked(secret, "the secret"));

    private PseudonymKeys(ReloadingFile<Secret> file)
    {
        _file = file;
        _fixed = file.Current;
    }

    public byte[] Pseudonym(string recipient, DataClass dataClass, ReadOnlySpan<byte> value)
    {
        var secret = _file?.Current ?? _fixed;
        var (keyedUnder, macs) = _macs.Value;
        if (!ReferenceEquals(keyedUnder, secret))
        {
            foreach (var old in macs?.Values ?? Enumerable.Empty<HMACSHA256>())
            {
                old.Dispose();
            }

            _macs.Value = (secret, macs = new Dictionary<string, HMACSHA256>(StringComparer.Ordinal));
        }

        if (!macs!.TryGetValue(recipient, out var mac))
        {
            macs[recipient] = mac = new HMACSHA256(secret.KeyFor(recipient));
        }

        var input = new byte[4 + value.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input, (int)dataClass);
        value.CopyTo(input.AsSpan(4));
        return mac.ComputeHash(input);
    }

    /// <summary>Re-reads the secret now if its file changed.</summary>
    public bool Refresh() => _file?.Refresh() ?? false;

    /// <summary>Reads a hex secret of at least 32 bytes, and again whenever the file changes; an edit that is not one (too short, not hex,
    /// readable by others) is refused and the secret in force stays.</summary>
    public static PseudonymKeys Load(string path, TimeProvider time, ILogger logger, ConfigurationJournal? journal = null,
        bool developmentMaterial = false) =>
        new(new ReloadingFile<Secret>(path, "Pseudonym secret", content =>
            {
                KeyFiles.RequirePrivate(path, "Hub:Masking:SecretPath", developmentMaterial);
                return new Secret(Checked(Convert.FromHexString(Encoding.ASCII.GetString(content).Trim()), $"'{path}'"));
            },
            time, logger, journal: journal,
            describe: (_, _) => "pseudonym secret replaced: pseudonyms given from now on differ from those given before"));

    private static byte[] Checked(byte[] secret, string what) => secret.Length >= MinimumBytes ? secret
        : throw new InvalidOperationException($"Masking secret {what} must hold at least {MinimumBytes} bytes of hex.");

    internal sealed class Secret(byte[] value)
    {
        private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

        public byte[] KeyFor(string recipient) => _keys.GetOrAdd(recipient,
            static (r, s) => HMACSHA256.HashData(s, Encoding.UTF8.GetBytes("afx-pseudonym-v1\n" + r)), value);
    }
}
