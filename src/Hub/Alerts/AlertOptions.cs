namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>Section "Hub:Alerts".</summary>
public sealed class HubAlertOptions
{
    /// <summary>The early-warning policy file (fusion window, locate unit, tier rules); built-in defaults apply when empty.</summary>
    public string? PolicyPath { get; set; } = "config/alerts.json";
}
