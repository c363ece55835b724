using AntiFraud.Exchange.Hub.Compliance;
using System.Net;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Bulk;
using AntiFraud.Exchange.Hub.Lists;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Observability;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>The hub's settings: section "Hub" of appsettings.json, or environment variables Hub__Listen, Hub__Tls__CertificatePath,
/// ...</summary>
public sealed class HubOptions
{
    public const string Section = "Hub";

    /// <summary>
    /// The folder relative paths in these settings resolve against. Default: the nearest folder at or
    /// above the hub's binary that holds a config/ folder (the repository root in development). The
    /// working directory never matters, so files planted where the hub is started are never read.
    /// </summary>
    public string? ContentRoot { get; set; }

    /// <summary>Address and port to listen on, "127.0.0.1:7443"; port 0 picks a free one.</summary>
    public string Listen { get; set; } = "127.0.0.1:7443";

    /// <summary>
    /// When set, the bound address (https://host:port, one line) is written to this file once the hub
    /// listens, and the file is removed when it stops: tools that start a hub on port 0 read it here.
    /// </summary>
    public string? AddressFile { get; set; }

    public HubTlsOptions Tls { get; set; } = new();

    public HubPartnerOptions Partners { get; set; } = new();

    public HubStoreOptions Store { get; set; } = new();

    public HubDeadlineOptions Deadlines { get; set; } = new();

    public HubAlertOptions Alerts { get; set; } = new();

    public HubListOptions Lists { get; set; } = new();

    public HubBulkOptions Bulk { get; set; } = new();

    public HubMaskingOptions Masking { get; set; } = new();

    public HubAuditOptions Audit { get; set; } = new();

    public HubRetentionOptions Retention { get; set; } = new();

    public int ShutdownTimeoutSeconds { get; set; } = 20;

    public HubLimitOptions Limits { get; set; } = new();

    /// <summary>The operations port (health, readiness, metrics) and telemetry export.</summary>
    public HubOpsOptions Ops { get; set; } = new();

    /// <summary>
    /// This replica's name among several on one Redis: stable across restarts and unique, since it names the
    /// replica's own audit log (origin "&lt;Hub:Audit:Origin&gt;/&lt;ReplicaId&gt;"). Default: the host name.
    /// </summary>
    public string? ReplicaId { get; set; }

    /// <summary>The listening endpoint; <see cref="HubOptionsValidator"/> has checked it parses.</summary>
    internal IPEndPoint ListenEndPoint => IPEndPoint.Parse(Listen);
}

/// <summary>Message sizes: section "Hub:Grpc".</summary>
public sealed class HubGrpcOptions
{
    /// <summary>Largest request message accepted, in bytes; larger gets RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes. Default 16 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 16 * 1024 * 1024;
}
