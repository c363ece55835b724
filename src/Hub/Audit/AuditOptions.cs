namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>Section "Hub:Audit".</summary>
public sealed class HubAuditOptions
{
    /// <summary>Where the audit log lives; by default an "audit" folder beside the store's database.</summary>
    public string? Directory { get; set; }

    /// <summary>PEM EC P-256 private key that signs checkpoints.</summary>
    public string SigningKeyPath { get; set; } = "certs-dev/audit/log-signing.key";

    /// <summary>The log's origin line and signing key name.</summary>
    public string Origin { get; set; } = "antifraud.exchange/dev-hub";

    /// <summary>A log whose saved tree covers fewer entries than this is read in full at start; a longer one opens from its saved tree
    /// (reading only the entries after it) and is checked in full in the background.</summary>
    public long FullCheckBelowEntries { get; set; } = AuditLog.DefaultFullCheckBelow;
}
