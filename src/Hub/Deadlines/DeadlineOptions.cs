namespace AntiFraud.Exchange.Hub.Deadlines;

/// <summary>Section "Hub:Deadlines".</summary>
public sealed class HubDeadlineOptions
{
    /// <summary>The deadline policy file; built-in defaults apply when empty.</summary>
    public string? PolicyPath { get; set; } = "config/deadlines.json";
}
