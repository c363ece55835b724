using AntiFraud.Exchange.Hub.Shared;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AntiFraud.Exchange.Hub.Masking;

internal static class MaskingRegistration
{
    /// <summary>The masking policy (re-read when edited), the pseudonym keys (re-read when the secret changes) and the engine every outgoing message passes.</summary>
    public static IServiceCollection AddHubMasking(this IServiceCollection services, string policyPath, string secretPath,
        bool secretIsDevelopmentMaterial = false)
    {
        services.AddSingleton(sp => new MaskingPolicy(new ReloadingFile<MaskingRules>(policyPath, "Masking policy", MaskingRules.Parse,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MaskingPolicy>>(), journal: sp.GetService<ConfigurationJournal>())));
        services.AddSingleton(sp => PseudonymKeys.Load(secretPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PseudonymKeys>>(), sp.GetService<ConfigurationJournal>(), secretIsDevelopmentMaterial));
        services.TryAddSingleton<IDeliveryMasker, MaskingEngine>();
        return services;
    }
}
