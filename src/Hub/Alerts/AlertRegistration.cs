using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Alerts;

internal static class AlertRegistration
{
    /// <summary>Early warning and dissuasion: the policy, fusion, routing, dispatch, the desk behind the Alerts service, figures and the
    /// watchdog that finishes interrupted dispatches and escalates missed contact deadlines.</summary>
    public static IServiceCollection AddHubAlerts(this IServiceCollection services, string? policyPath)
    {
        services.AddSingleton(sp => new AlertPolicy(policyPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlertPolicy>>(), sp.GetService<ConfigurationJournal>()));
        services.AddSingleton<FusionKeys>();
        services.AddSingleton<AlertRouting>();
        services.AddSingleton<AlertViews>();
        services.AddSingleton<AlertDispatcher>();
        services.AddSingleton<AlertDesk>();
        services.AddSingleton<AlertFiguresCalculator>();
        services.AddSingleton<AlertWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWatchdog>());
        return services;
    }
}
