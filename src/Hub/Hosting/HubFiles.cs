namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// The files and folders the hub's settings name, resolved against the content root. Every file that
/// must exist is checked here, so a wrong path stops start-up with the setting's name.
/// </summary>
internal sealed record HubFiles(
    string Registry,
    string Store,
    string DataDirectory,
    string AuditDirectory,
    string SigningKey,
    string MaskingSecret,
    string MaskingPolicy,
    string? DeadlinePolicy,
    string? AlertPolicy,
    string ListKey,
    string StoreKey,
    string? RetentionPolicy)
{
    public static HubFiles Resolve(HubOptions options, HubPaths paths)
    {
        var store = paths.Resolve(options.Store.Path);
        var data = Path.GetDirectoryName(store)!;
        return new HubFiles(
            paths.ResolveExisting(options.Partners.RegistryPath, "Hub:Partners:RegistryPath"),
            store,
            data,
            options.Audit.Directory is { } audit ? paths.Resolve(audit) : Path.Combine(data, "audit"),
            paths.ResolveExisting(options.Audit.SigningKeyPath, "Hub:Audit:SigningKeyPath"),
            paths.ResolveExisting(options.Masking.SecretPath, "Hub:Masking:SecretPath"),
            paths.ResolveExisting(options.Masking.PolicyPath, "Hub:Masking:PolicyPath"),
            string.IsNullOrEmpty(options.Deadlines.PolicyPath) ? null : paths.ResolveExisting(options.Deadlines.PolicyPath,
                "Hub:Deadlines:PolicyPath"),
            string.IsNullOrEmpty(options.Alerts.PolicyPath) ? null : paths.ResolveExisting(options.Alerts.PolicyPath, "Hub:Alerts:PolicyPath"),
            paths.ResolveExisting(options.Lists.KeyPath, "Hub:Lists:KeyPath"),
            paths.Resolve(options.Store.KeyPath),
            string.IsNullOrEmpty(options.Retention.PolicyPath) ? null : paths.ResolveExisting(options.Retention.PolicyPath,
                "Hub:Retention:PolicyPath"));
    }
}
