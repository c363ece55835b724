using System.Security.Cryptography;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// The checkpoint signing key file (Hub:Audit:SigningKeyPath), re-read when it changes: a new P-256 key takes over without a restart
/// (<see cref="AuditLog.RotateSigningKeyAsync"/>: its public key joins audit.keys, and a handover checkpoint is signed by both). A file
/// that is not a P-256 private key is refused, and the key in force stays. The change is audited through the configuration journal.
/// </summary>
internal sealed class AuditSigningKey
{
    private readonly ReloadingFile<ECDsa> _file;

    public AuditSigningKey(string path, TimeProvider time, ILogger<AuditSigningKey> logger, ConfigurationJournal? journal)
    {
        _file = new ReloadingFile<ECDsa>(path, "Audit signing key", Parse, time, logger, journal: journal,
            describe: (old, key) => $"checkpoints are now signed by key {AuditKeys.Id(key)} (was {AuditKeys.Id(old)}); both public keys are in "
                + $"{AuditKeys.FileName}, and checkpoints signed before still verify with the old one");
    }

    public ECDsa Current => _file.Current;

    /// <summary>Raised (on the thread that noticed) after a new key was read.</summary>
    public event Action<ECDsa>? Changed
    {
        add => _file.Changed += value;
        remove => _file.Changed -= value;
    }

    public bool Refresh() => _file.Refresh();

    private static ECDsa Parse(byte[] pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(System.Text.Encoding.ASCII.GetString(pem));
        if (key.KeySize != 256)
        {
            throw new CryptographicException($"the signing key must be an EC P-256 private key, not a {key.KeySize}-bit one");
        }

        // A public key alone cannot sign: find out now, not at the next checkpoint.
        _ = key.SignData("afx"u8, HashAlgorithmName.SHA256);
        return key;
    }
}
