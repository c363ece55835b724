namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>Section "Hub:Partners".</summary>
public sealed class HubPartnerOptions
{
    /// <summary>The partner registry (JSON) the operator edits; re-read when it changes.</summary>
    public string RegistryPath { get; set; } = "config/partners.json";
}
