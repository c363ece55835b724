namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>Section "Hub:Lists".</summary>
public sealed class HubListOptions
{
    /// <summary>The OPRF key (hex P-256 scalar) every replica shares: screening outputs depend on it.</summary>
    public string KeyPath { get; set; } = "certs-dev/lists/oprf.key";

    /// <summary>Evaluations a partner may ask for per minute (per replica): what bounds offline enumeration.</summary>
    public int EvaluationsPerMinute { get; set; } = 6000;

    /// <summary>The longest an entry may be listed before it must be published again.</summary>
    public int MaxEntryDays { get; set; } = 366;
}
