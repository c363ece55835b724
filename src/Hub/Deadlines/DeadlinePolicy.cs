using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Deadlines;

/// <summary>The policy file, reloaded when the operator edits it; built-in defaults when no file is configured.</summary>
internal sealed class DeadlinePolicy
{
    private readonly ReloadingFile<DeadlineRules>? _file;

    public DeadlinePolicy(string? path, TimeProvider time, ILogger<DeadlinePolicy> logger, ConfigurationJournal? journal = null)
    {
        if (path is not null)
        {
            _file = new ReloadingFile<DeadlineRules>(path, "Deadline policy", DeadlineRules.Parse, time, logger, journal: journal);
        }
    }

    public DeadlineRules Current => _file?.Current ?? DeadlineRules.Defaults;

    /// <summary>The policy file, or null when the built-in defaults apply.</summary>
    public string? Path => _file?.Path;

    public bool Refresh() => _file?.Refresh() ?? false;
}
