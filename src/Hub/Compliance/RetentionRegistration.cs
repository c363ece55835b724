using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Compliance;

internal static class RetentionRegistration
{
    /// <summary>The retention policy (re-read when edited; none: keep everything), the purger that applies it, and authorised
    /// disclosure (break-glass, opening commitments).</summary>
    public static IServiceCollection AddHubRetention(this IServiceCollection services, string? policyPath)
    {
        services.AddSingleton(sp => new RetentionPurger(
            policyPath is null ? null : new ReloadingFile<RetentionRules>(policyPath, "Retention policy", RetentionRules.Parse,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetentionPurger>>(),
                journal: sp.GetService<ConfigurationJournal>()),
            sp.GetRequiredService<IRetentionStore>(), sp.GetRequiredService<IAuditSink>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<BackgroundFaults>(), sp.GetRequiredService<ILogger<RetentionPurger>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RetentionPurger>());
        services.AddSingleton<Disclosures>();
        return services;
    }
}
