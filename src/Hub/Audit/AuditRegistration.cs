using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AntiFraud.Exchange.Hub.Audit;

internal static class AuditRegistration
{
    /// <summary>The tamper-evident audit log (the sink every feature records to) and its periodic checkpoint file.</summary>
    /// <param name="origin">The log's origin line; a replica on a shared store has its own.</param>
    /// <param name="secretPath">The masking secret, from which the key of the salted commitments derives.</param>
    public static IServiceCollection AddHubAudit(this IServiceCollection services, string directory, string origin, string signingKeyPath,
        string secretPath)
    {
        services.AddSingleton(sp =>
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(signingKeyPath));
            var commitmentKey = HMACSHA256.HashData(Convert.FromHexString(File.ReadAllText(secretPath).Trim()), "afx-commitment-v1"u8);
            return new AuditLog(directory, origin, key, commitmentKey, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AuditLog>>());
        });
        services.TryAddSingleton<IAuditSink>(sp => sp.GetRequiredService<AuditLog>());
        services.AddHostedService<AuditCheckpointer>();
        return services;
    }
}
