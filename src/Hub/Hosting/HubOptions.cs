using System.Net;
using AntiFraud.Exchange.Hub.Identity;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>The hub's settings: section "Hub" of appsettings.json, or environment variables Hub__Listen, Hub__Tls__CertificatePath, ...</summary>
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

    public HubTlsOptions Tls { get; set; } = new();

    public HubPartnerOptions Partners { get; set; } = new();

    public HubStoreOptions Store { get; set; } = new();

    public HubDeadlineOptions Deadlines { get; set; } = new();

    public HubMaskingOptions Masking { get; set; } = new();

    public HubAuditOptions Audit { get; set; } = new();

    public int ShutdownTimeoutSeconds { get; set; } = 20;

    public HubLimitOptions Limits { get; set; } = new();

    /// <summary>
    /// This replica's name among several on one Redis: stable across restarts and unique, since it names the
    /// replica's own audit log (origin "&lt;Hub:Audit:Origin&gt;/&lt;ReplicaId&gt;"). Default: the host name.
    /// </summary>
    public string? ReplicaId { get; set; }

    internal IPEndPoint ParseListen()
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint))
        {
            throw new InvalidOperationException($"Hub:Listen '{Listen}' is not an address:port such as 127.0.0.1:7443.");
        }

        return endpoint;
    }
}

/// <summary>Message sizes: section "Hub:Grpc".</summary>
public sealed class HubGrpcOptions
{
    /// <summary>Largest request message accepted, in bytes; larger gets RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes. Default 16 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 16 * 1024 * 1024;
}

/// <summary>What any one partner, or all of them together, can make the hub hold.</summary>
public sealed class HubLimitOptions
{
    /// <summary>Open TLS connections at once; more wait for a free one.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Concurrent calls (HTTP/2 streams) on one connection; clients open more connections or queue.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Partly received request bytes one connection may make the hub hold, in MiB.</summary>
    public int MaxBufferedPerConnectionMiB { get; set; } = 16;

    /// <summary>Partly received request bytes the hub holds in all, in MiB.</summary>
    public int MaxBufferedTotalMiB { get; set; } = 256;

    /// <summary>A request body slower than this (bytes per second, after a 5 s grace) is cut off; streaming uploads are exempt.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;
}

/// <summary>TLS is not optional: the hub refuses to start without a server certificate and a client CA.</summary>
public sealed class HubTlsOptions
{
    /// <summary>PEM server certificate, optionally followed by its intermediates.</summary>
    public string CertificatePath { get; set; } = "certs-dev/hub/hub-chain.crt";

    public string KeyPath { get; set; } = "certs-dev/hub/hub.key";

    /// <summary>The root CA partner certificates must chain to. Only this root is trusted, never the machine store.</summary>
    public string ClientCaPath { get; set; } = "certs-dev/ca/root.crt";

    /// <summary>Intermediate CAs that may sit between a partner certificate and the root.</summary>
    public string? IntermediatesPath { get; set; } = "certs-dev/ca/issuing.crt";

    /// <summary>PEM or DER certificate revocation list of the issuing CA; re-read when the file changes.</summary>
    public string? CrlPath { get; set; } = "certs-dev/ca/crl.pem";

    /// <summary>
    /// A revocation list past its nextUpdate: "refuse" (the default: every partner is refused until a
    /// current list is published) or "warn" (keep enforcing it, log an error).
    /// </summary>
    public string StaleCrl { get; set; } = "refuse";

    internal StaleCrlMode StaleCrlMode => StaleCrl switch
    {
        "refuse" => StaleCrlMode.Refuse,
        "warn" => StaleCrlMode.Warn,
        _ => throw new InvalidOperationException($"Hub:Tls:StaleCrl '{StaleCrl}' is not refuse or warn."),
    };
}

public sealed class HubPartnerOptions
{
    /// <summary>The partner registry (JSON) the operator edits; re-read when it changes.</summary>
    public string RegistryPath { get; set; } = "config/partners.json";
}

public sealed class HubStoreOptions
{
    /// <summary>"sqlite" (durable, the default) or "memory" (nothing survives a restart: benchmarks and tests only).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite database file; its folder is created when missing.</summary>
    public string Path { get; set; } = "data/hub.db";

    /// <summary>Used when Provider is redis: several replicas share state through one Redis primary.</summary>
    public HubRedisOptions Redis { get; set; } = new();
}

public sealed class HubRedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, for example "redis-1:6379,password=...,ssl=true".</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key and channel, so several hubs (or environments) can share a Redis.</summary>
    public string Prefix { get; set; } = "afx:";

    /// <summary>How long a Redis call may take before the caller gets UNAVAILABLE.</summary>
    public int TimeoutMilliseconds { get; set; } = 2000;

    /// <summary>Refuse to start unless Redis has appendonly yes (acknowledged work must survive a Redis restart).</summary>
    public bool RequireAppendOnly { get; set; } = true;
}

public sealed class HubDeadlineOptions
{
    /// <summary>The deadline policy file; built-in defaults apply when empty.</summary>
    public string? PolicyPath { get; set; } = "config/deadlines.json";
}

public sealed class HubMaskingOptions
{
    /// <summary>The masking policy; re-read when it changes.</summary>
    public string PolicyPath { get; set; } = "config/masking.json";

    /// <summary>Hex secret (32+ bytes) from which per-recipient pseudonym keys derive. Keep it out of the repository in production.</summary>
    public string SecretPath { get; set; } = "certs-dev/masking.key";
}

public sealed class HubAuditOptions
{
    /// <summary>Where the audit log lives; by default an "audit" folder beside the store's database.</summary>
    public string? Directory { get; set; }

    /// <summary>PEM EC P-256 private key that signs checkpoints.</summary>
    public string SigningKeyPath { get; set; } = "certs-dev/audit/log-signing.key";

    /// <summary>The log's origin line and signing key name.</summary>
    public string Origin { get; set; } = "antifraud.exchange/dev-hub";
}
