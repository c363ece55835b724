using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Deadlines;

internal static class DeadlineRegistration
{
    /// <summary>The deadline policy (built-in defaults when no file) and the tracker that escalates late work.</summary>
    public static IServiceCollection AddHubDeadlines(this IServiceCollection services, string? policyPath)
    {
        services.AddSingleton(sp => new DeadlinePolicy(policyPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeadlinePolicy>>(),
            sp.GetService<ConfigurationJournal>()));
        services.AddSingleton<DeadlineTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineTracker>());
        return services;
    }
}
