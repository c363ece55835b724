using System.Globalization;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>What the hub does with a revocation list past its nextUpdate.</summary>
public enum StaleCrlMode
{
    /// <summary>Refuse every partner until a current list is published (fail closed). The default.</summary>
    Refuse,

    /// <summary>Keep enforcing the stale list and warn in the log.</summary>
    Warn,
}

/// <summary>
/// The issuing CA's revocation list, re-read when the file changes (for example after `pki.sh revoke`).
/// A list only ever moves forward: one with a lower CRL number than a list already enforced (a replay
/// that would un-revoke certificates) is refused at reload, and at start-up against the highest number
/// this hub has enforced, which it keeps in its state file. A list past its nextUpdate fails closed
/// unless configured to warn.
/// </summary>
internal sealed class CrlStore
{
    private readonly ReloadingFile<RevocationList>? _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _statePath;
    private readonly StaleCrlMode _staleMode;
    private DateTimeOffset _staleWarned;

    public CrlStore(string? path, X509Certificate2Collection issuers, string? statePath, StaleCrlMode staleMode, TimeProvider time,
        ILogger<CrlStore> logger,
        ConfigurationJournal? journal = null)
    {
        _time = time;
        _logger = logger;
        _statePath = statePath;
        _staleMode = staleMode;
        if (path is null)
        {
            return;
        }

        _file = new ReloadingFile<RevocationList>(path, "Revocation list", data => RevocationList.Parse(data, issuers), time, logger,
            accept: Newer,
            journal: journal);
        var enforced = ReadState();
        if (enforced is { } highest && (_file.Current.Number ?? BigInteger.MinusOne) < highest)
        {
            throw new InvalidOperationException(
                $"Hub:Tls:CrlPath '{path}' holds CRL number {Show(_file.Current.Number)}, but this hub already enforced number {highest}: "
                + "an older list would un-revoke certificates. Publish the current CRL (or remove the state file "
                + $"'{_statePath}' if the CA was deliberately re-created).");
        }

        Remember(_file.Current);
        _file.Changed += list =>
        {
            Remember(list);
            Changed?.Invoke();
        };
    }

    /// <summary>Raised when a new list took effect, so open streams of newly revoked partners can be ended.</summary>
    public event Action? Changed;

    public RevocationList Current => _file?.Current ?? RevocationList.Empty;

    /// <summary>Why every partner is refused right now (a stale list, failing closed), or null.</summary>
    /// <summary>What is enforced, for an operator: the file, its number and when the next one is due.</summary>
    public string Describe() => _file is null
        ? "none configured (Hub:Tls:CrlPath): revoked certificates are not refused"
        : $"{_file.Path}: number {Show(_file.Current.Number)}, next update due {_file.Current.NextUpdate:u}";

    public string? StaleRefusal()
    {
        var crl = Current;
        var now = _time.GetUtcNow();
        if (crl.NextUpdate is not { } next || next >= now)
        {
            return null;
        }

        if (now - _staleWarned > TimeSpan.FromMinutes(10))
        {
            _staleWarned = now;
            IdentityLog.CrlStale(_logger, _file!.Path, next,
                _staleMode == StaleCrlMode.Refuse ? "every partner is refused until a current list is published" : "it is still enforced");
        }

        return _staleMode == StaleCrlMode.Refuse
            ? $"the hub's certificate revocation list expired at {next:u} and no current one was published; every partner is refused until the operator publishes one"
            : null;
    }

    public bool Refresh() => _file?.Refresh() ?? false;

    private static string? Newer(RevocationList current, RevocationList candidate)
    {
        if (current.Number is not { } enforced)
        {
            return null;
        }

        if (candidate.Number is not { } offered || offered < enforced)
        {
            return $"it is CRL number {Show(candidate.Number)}, older than number {enforced} already enforced: a replayed list would un-revoke certificates";
        }

        return offered == enforced && !candidate.SameEntries(current)
            ? $"it reuses CRL number {enforced} with different entries; a CA issues every list under a new number"
            : null;
    }

    private static string Show(BigInteger? number) => number?.ToString(CultureInfo.InvariantCulture) ?? "(none)";

    private BigInteger? ReadState()
    {
        if (_statePath is null || !File.Exists(_statePath))
        {
            return null;
        }

        var text = File.ReadAllText(_statePath).Trim();
        return BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidOperationException($"The revocation state file '{_statePath}' is damaged ('{text}'); it should hold the highest CRL number enforced.");
    }

    private void Remember(RevocationList list)
    {
        if (_statePath is null || list.Number is not { } number)
        {
            return;
        }

        try
        {
            if (ReadState() is { } known && known >= number)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_statePath)!);
            var temp = _statePath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _statePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            SharedLog.ReloadFailed(_logger, "Revocation state", _statePath, ex.Message);
        }
    }
}
