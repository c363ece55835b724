using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Hosting;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The issuing CA's revocation list, re-read when the file changes (for example after `pki.sh revoke`).</summary>
internal sealed class CrlStore
{
    private readonly ReloadingFile<RevocationList>? _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset _staleWarned;

    public CrlStore(string? path, X509Certificate2Collection issuers, TimeProvider time, ILogger<CrlStore> logger)
    {
        _time = time;
        _logger = logger;
        if (path is not null)
        {
            _file = new ReloadingFile<RevocationList>(path, "Revocation list", data => RevocationList.Parse(data, issuers), time, logger);
        }
    }

    public RevocationList Current
    {
        get
        {
            var crl = _file?.Current ?? RevocationList.Empty;
            var now = _time.GetUtcNow();
            if (crl.NextUpdate is { } next && next < now && now - _staleWarned > TimeSpan.FromMinutes(10))
            {
                // Still enforced: a stale list is better than none; the operator must publish a new one.
                _staleWarned = now;
                HubLog.CrlStale(_logger, _file!.Path, next);
            }

            return crl;
        }
    }

    public bool Refresh() => _file?.Refresh() ?? false;
}
