namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>Section "Hub:Masking".</summary>
public sealed class HubMaskingOptions
{
    /// <summary>The masking policy; re-read when it changes.</summary>
    public string PolicyPath { get; set; } = "config/masking.json";

    /// <summary>Hex secret (32+ bytes) from which per-recipient pseudonym keys derive. Keep it out of the repository in
    /// production.</summary>
    public string SecretPath { get; set; } = "certs-dev/masking.key";
}
