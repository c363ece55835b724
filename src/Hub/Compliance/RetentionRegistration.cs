using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Compliance;

internal static class RetentionRegistration
{
    /// <summary>The retention policy (re-read when edited; none: keep everything), the purger that applies it, and authorised
    /// disclosure (break-glass, opening commitments).</summary>
    public static IServiceCollection AddHubRetention(this IServiceCollection services, string? policyPath)
    {
        services.AddSingleton(sp => new RetentionPolicy(policyPath is null ? null : new ReloadingFile<RetentionRules>(policyPath,
            "Retention policy", RetentionRules.Parse, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetentionPolicy>>(),
            journal: sp.GetService<ConfigurationJournal>())));
        services.AddSingleton<RetentionPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionPurger>());
        services.AddSingleton<Disclosures>();
        return services;
    }
}
