namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>The "Bridge" configuration section: who the bridge is, where the hub is, its folders and formats.</summary>
public sealed class BridgeOptions
{
    public const string Section = "Bridge";

    /// <summary>The hub's address.</summary>
    public string Hub { get; set; } = "https://localhost:7443";

    /// <summary>The partner this bridge stands in for, as registered at the hub (bank-beta, carrier-east).</summary>
    public string PartnerId { get; set; } = "";

    /// <summary>The partner's certificate (PEM, with its issuing chain); default certs-dev/partners/&lt;PartnerId&gt;.crt.</summary>
    public string? Certificate { get; set; }

    /// <summary>The partner's private key (PEM); default certs-dev/partners/&lt;PartnerId&gt;.key.</summary>
    public string? Key { get; set; }

    /// <summary>The hub's root CA (PEM).</summary>
    public string Ca { get; set; } = "certs-dev/ca/root.crt";

    /// <summary>The folder the partner shares with the bridge; default bridge/&lt;PartnerId&gt;.</summary>
    public string? Folder { get; set; }

    /// <summary>The native format for each kind of request the hub sends. Kinds left out use the defaults.</summary>
    public Dictionary<string, string> Formats { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>ISO 3166-1 country code for ETSI request ids.</summary>
    public string CountryCode { get; set; } = "CN";

    /// <summary>How often the answers folder is scanned (a file-system watcher also wakes the scan).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Unacknowledged inbox items the hub may send ahead.</summary>
    public uint MaxInFlight { get; set; } = 16;

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the bridge serves its own metrics (Prometheus text at /metrics, plain HTTP), e.g. 127.0.0.1:9465; off when
    /// empty. Dead letters by direction, for an alert when they pile up.</summary>
    public string? Metrics { get; set; }

    public string ResolvedFolder => Folder ?? Path.Combine("bridge", PartnerId);

    public string ResolvedCertificate => Certificate ?? Path.Combine("certs-dev", "partners", PartnerId + ".crt");

    public string ResolvedKey => Key ?? Path.Combine("certs-dev", "partners", PartnerId + ".key");

    /// <summary>Every problem with the settings, each naming its setting; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PartnerId.Length == 0)
        {
            problems.Add("Bridge:PartnerId is required (the partner id registered at the hub, e.g. bank-beta).");
        }

        if (!string.IsNullOrEmpty(Metrics) && !System.Net.IPEndPoint.TryParse(Metrics, out _))
        {
            problems.Add($"Bridge:Metrics '{Metrics}' is not an address:port such as 127.0.0.1:9465.");
        }

        if (!Uri.TryCreate(Hub, UriKind.Absolute, out var hub) || hub.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"Bridge:Hub '{Hub}' must be an https:// address; the hub only speaks TLS.");
        }

        foreach (var (setting, path) in new[] { ("Bridge:Certificate", ResolvedCertificate), ("Bridge:Key", ResolvedKey), ("Bridge:Ca",
            Ca) })
        {
            if (PartnerId.Length > 0 && !File.Exists(path))
            {
                problems.Add($"{setting}: file '{Path.GetFullPath(path)}' does not exist.");
            }
        }

        foreach (var (kind, format) in Formats)
        {
            if (!BridgeTranslators.RequestKinds.Contains(kind, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"Bridge:Formats:{kind}: unknown request kind; use {string.Join(", ", BridgeTranslators.RequestKinds)}.");
            }
            else if (!BridgeTranslators.OutboundFormats.Contains(format, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"Bridge:Formats:{kind}: unknown format '{format}'; use {string.Join(", ", BridgeTranslators.OutboundFormats)}.");
            }
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            problems.Add("Bridge:PollInterval must be positive.");
        }

        return problems;
    }
}
