using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Master key rotation without a restart: looks at <c>Hub:Store:KeyPath</c> every second; when it holds a new key (written by
/// <c>afx-hub keys rotate</c>, or by the operator) every data key is re-wrapped under it in one write, and the rotation goes to the audit
/// log as CONFIGURATION_CHANGED with both fingerprints. A key file that is malformed or readable by others is refused (audited too) and
/// the key in force stays. A rotation made while the hub was stopped is finished at start (the store opened with KEY.previous) and
/// reported the same way.
/// </summary>
internal sealed class StoreKeyWatcher(
    IStoreKeyRing ring,
    string keyPath,
    bool developmentMaterial,
    ConfigurationJournal journal,
    TimeProvider time,
    BackgroundFaults faults,
    ILogger<StoreKeyWatcher> logger) : PeriodicService(TimeSpan.FromSeconds(1), time, faults, logger)
{
    public const string What = "Store master key";

    private (DateTime Written, long Length) _stamp = Stamp(keyPath);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (ring.Cipher.RotatedFrom is { } from)
        {
            Report(from, ring.Cipher.MasterFingerprint, true, $"data keys re-wrapped at start from the previous master key ({from}.previous) to this one");
        }

        return base.ExecuteAsync(stoppingToken);
    }

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => CheckAsync(cancellationToken);

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        var stamp = Stamp(keyPath);
        if (stamp == _stamp)
        {
            return;
        }

        _stamp = stamp;
        byte[] key;
        try
        {
            key = StoreKeyring.ReadMasterKey(keyPath, "Hub:Store:KeyPath", developmentMaterial);
        }
        catch (Exception e) when (e is StoreKeyException or InvalidOperationException or IOException)
        {
            Report(ring.Cipher.MasterFingerprint, "(refused)", false, e.Message + " The master key in force stays.");
            return;
        }

        var fingerprint = StoreKeyring.Fingerprint(key);
        var previous = ring.Cipher.MasterFingerprint;
        if (fingerprint == previous)
        {
            return;
        }

        var count = await ring.RewrapAsync(key, cancellationToken);
        Report(previous, fingerprint, true, $"{count} data key(s) re-wrapped under the new master key; the old key no longer opens this store");
    }

    private void Report(string from, string to, bool taken, string summary)
    {
        journal.Report(new ConfigurationChange(What, keyPath, taken, from, to, summary + " (fingerprints: the first 16 hex digits of each key's SHA-256)"));
        if (taken)
        {
            HubLog.StoreKeyRotated(logger, from, to);
        }
        else
        {
            HubLog.StoreKeyRefused(logger, keyPath, summary);
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
