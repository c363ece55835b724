using System.Security.Cryptography;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AntiFraud.Exchange.Hub.Audit;

internal static class AuditRegistration
{
    /// <summary>The tamper-evident audit log (the sink every feature records to) and its periodic checkpoint file.</summary>
    /// <param name="origin">The log's origin line; a replica on a shared store has its own.</param>
    /// <param name="secretPath">The masking secret, from which the key of the salted commitments derives.</param>
    /// <param name="fullCheckBelow">Hub:Audit:FullCheckBelowEntries.</param>
    public static IServiceCollection AddHubAudit(this IServiceCollection services, string directory, string origin, string signingKeyPath,
        string secretPath, long fullCheckBelow)
    {
        services.AddSingleton(sp => new AuditSigningKey(signingKeyPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AuditSigningKey>>(), sp.GetService<ConfigurationJournal>()));
        services.AddSingleton(sp =>
        {
            var key = sp.GetRequiredService<AuditSigningKey>();
            var commitmentKey = HMACSHA256.HashData(Convert.FromHexString(File.ReadAllText(secretPath).Trim()), "afx-commitment-v1"u8);
            var log = new AuditLog(directory, origin, key.Current, commitmentKey, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AuditLog>>(), sp.GetService<IEvidenceStore>(), fullCheckBelow);
            var faults = sp.GetRequiredService<BackgroundFaults>();
            var logger = sp.GetRequiredService<ILogger<AuditSigningKey>>();
            key.Changed += next =>
            {
                try
                {
                    log.RotateSigningKeyAsync(next, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception ex) when (ex is IOException or StoreUnavailableException or CryptographicException)
                {
                    // The next checkpoint request signs the handover; the new key is in force either way.
                    faults.Record(nameof(AuditSigningKey), ex, logger);
                }
            };
            return log;
        });
        services.TryAddSingleton<IAuditSink>(sp => sp.GetRequiredService<AuditLog>());
        services.AddHostedService<AuditCheckpointer>();
        return services;
    }
}
