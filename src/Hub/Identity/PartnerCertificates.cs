using System.Text.Json;
using System.Text.Json.Serialization;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// The certificates each registered partner has presented to this hub, so a request addressed to a
/// partner whose every known certificate is revoked is refused at submission instead of waiting in a
/// queue nobody can collect. Kept in a small file beside the store (the last few per partner), so the
/// knowledge survives a restart. What it does not know (a partner never seen by this hub) it does not
/// refuse: the exchange is queued and delivered once the partner connects with a valid certificate.
/// </summary>
internal sealed partial class PartnerCertificates
{
    /// <summary>A partner rotates certificates; the newest few are enough to know whether any is still good.</summary>
    internal const int PerPartner = 8;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Known>> _byPartner = new(StringComparer.Ordinal);
    private readonly string? _path;
    private readonly CrlStore _crl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PartnerCertificates(string? path, CrlStore crl, TimeProvider time, ILogger<PartnerCertificates> logger)
    {
        _path = path;
        _crl = crl;
        _time = time;
        _logger = logger;
        if (path is null || !File.Exists(path))
        {
            return;
        }

        try
        {
            var saved = JsonSerializer.Deserialize(File.ReadAllBytes(path), PartnerCertificatesJson.Default.DictionaryStringListKnown);
            foreach (var (partner, known) in saved ?? [])
            {
                _byPartner[partner] = [.. known.OrderByDescending(k => k.NotAfter).Take(PerPartner)];
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // A hint, not evidence: without it the hub only refuses less early.
            Log.Unreadable(_logger, path, e.Message);
        }
    }

    /// <summary>Notes a certificate a registered partner presented (called once per certificate per process).</summary>
    public void Seen(string partnerId, string issuer, string serialNumber, DateTimeOffset notAfter)
    {
        lock (_gate)
        {
            if (!_byPartner.TryGetValue(partnerId, out var known))
            {
                _byPartner[partnerId] = known = [];
            }

            if (known.Exists(k => k.Serial == serialNumber && k.Issuer == issuer))
            {
                return;
            }

            known.Add(new Known(issuer, serialNumber, notAfter));
            known.Sort((a, b) => b.NotAfter.CompareTo(a.NotAfter));
            if (known.Count > PerPartner)
            {
                known.RemoveRange(PerPartner, known.Count - PerPartner);
            }

            Save();
        }
    }

    /// <summary>
    /// Why the partner cannot collect anything right now: every certificate it is known to hold is
    /// revoked. Null when one may still be good, or when no certificate of it is known.
    /// </summary>
    public string? RevokedReason(string partnerId)
    {
        var crl = _crl.Current;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_byPartner.TryGetValue(partnerId, out var known))
            {
                return null;
            }

            var current = known.Where(k => k.NotAfter > now).ToList();
            if (current.Count == 0 || !current.TrueForAll(k => crl.IsRevoked(k.Issuer, k.Serial)))
            {
                return null;
            }

            return current.Count == 1
                ? $"its certificate (serial {current[0].Serial}) is revoked"
                : $"all {current.Count} of its certificates are revoked";
        }
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = $"{_path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(_byPartner,
                PartnerCertificatesJson.Default.DictionaryStringListKnown));
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Unwritable(_logger, _path, e.Message);
        }
    }

    internal sealed record Known(string Issuer, string Serial, DateTimeOffset NotAfter);

    private static partial class Log
    {
        [LoggerMessage(420, LogLevel.Warning, "Could not read the partner certificate list {Path} ({Reason}); starting without it")]
        public static partial void Unreadable(ILogger logger, string path, string reason);

        [LoggerMessage(421, LogLevel.Warning, "Could not write the partner certificate list {Path} ({Reason})")]
        public static partial void Unwritable(ILogger logger, string path, string reason);
    }
}

[JsonSerializable(typeof(Dictionary<string, List<PartnerCertificates.Known>>))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PartnerCertificatesJson : JsonSerializerContext;
