using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>The early-warning policy file, reloaded when the operator edits it; built-in defaults when no file is configured.</summary>
internal sealed class AlertPolicy
{
    private readonly ReloadingFile<AlertRules>? _file;

    public AlertPolicy(string? path, TimeProvider time, ILogger<AlertPolicy> logger, ConfigurationJournal? journal = null)
    {
        if (path is not null)
        {
            _file = new ReloadingFile<AlertRules>(path, "Alert policy", AlertRules.Parse, time, logger, journal: journal);
        }
    }

    public AlertRules Current => _file?.Current ?? AlertRules.Defaults;

    public string? Path => _file?.Path;

    public bool Refresh() => _file?.Refresh() ?? false;
}
