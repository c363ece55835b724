using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

internal static class IdentityRegistration
{
    /// <summary>
    /// Who a partner is and what it may do: the registry, the CRL, the certificates each partner has
    /// used, certificate authentication and authorization, refusal auditing and the streams held open.
    /// </summary>
    /// <param name="identityDirectory">Where the CRL number and the partner certificates seen are kept (data/identity).</param>
    public static IServiceCollection AddHubIdentity(this IServiceCollection services, HubTls tls, string registryPath,
        string identityDirectory,
        StaleCrlMode staleCrl)
    {
        services.AddSingleton(tls);
        services.AddSingleton(sp => new ServerCertificate(tls.CertificatePath, tls.KeyPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ServerCertificate>>(), sp.GetService<ConfigurationJournal>()));
        services.AddSingleton(sp => new PartnerRegistry(registryPath, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PartnerRegistry>>(), sp.GetService<ConfigurationJournal>()));
        services.AddSingleton(sp => new CrlStore(tls.CrlPath, [.. tls.Intermediates, tls.ClientRoot], Path.Combine(identityDirectory,
            "crl-number"),
            staleCrl, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CrlStore>>(), sp.GetService<ConfigurationJournal>()));
        services.AddSingleton(sp => new PartnerCertificates(Path.Combine(identityDirectory, "partner-certificates.json"),
            sp.GetRequiredService<CrlStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PartnerCertificates>>()));
        services.AddSingleton<PartnerAuthenticator>();
        services.AddSingleton<RefusalAudit>();
        services.AddHostedService<RefusalAuditFlusher>();
        services.AddSingleton<PartnerStreams>();
        return services.AddPartnerAccess(tls);
    }
}
