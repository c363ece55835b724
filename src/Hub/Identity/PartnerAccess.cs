using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Who may call the hub: ASP.NET certificate authentication establishes who a caller is (the chain ends
/// at the hub's own root, the certificate is for client authentication, it names exactly one partner),
/// cached per certificate; authorization then decides, on every call, whether that partner is still in
/// good standing (validity on the hub's clock, the CRL, the registry) and whether its kind may call the
/// RPC. Refusals answer UNAUTHENTICATED or PERMISSION_DENIED with the reason, and are audited.
/// </summary>
internal static class PartnerAccess
{
    public static IServiceCollection AddPartnerAccess(this IServiceCollection services, HubTls tls)
    {
        // Authentication brings data protection along; the hub issues no cookies or tokens, so its keys
        // live in memory only instead of being written under the service account's home folder.
        services.AddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme)
            .AddCertificate(options =>
            {
                options.AllowedCertificateTypes = CertificateTypes.Chained;
                options.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
                options.CustomTrustStore = [tls.ClientRoot];
                options.AdditionalChainCertificates = tls.Intermediates;
                // The hub's own CRL, validity on the hub's clock and the registry are checked per call
                // (PartnerInGoodStanding): the cached result below must not outlive a revocation.
                options.RevocationMode = X509RevocationMode.NoCheck;
                options.ValidateValidityPeriod = false;
                options.ValidateCertificateUse = true;
                options.Events = new CertificateAuthenticationEvents
                {
                    OnCertificateValidated = context =>
                    {
                        if (PartnerAuthenticator.IdentityOf(context.ClientCertificate, out var refusal) is not { } partner)
                        {
                            context.Fail(refusal!);
                            return Task.CompletedTask;
                        }

                        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                            [new Claim(ClaimTypes.NameIdentifier, partner.Id), new Claim(ClaimTypes.Role,
                                PartnerIdentity.KindName(partner.Kind))],
                            CertificateAuthenticationDefaults.AuthenticationScheme));
                        context.Success();
                        return Task.CompletedTask;
                    },
                };
            })
            .AddCertificateCache(cache =>
            {
                cache.CacheSize = 4096;
                cache.CacheEntryExpiration = TimeSpan.FromMinutes(2);
            });

        services.AddAuthorization(options =>
        {
            var partner = new AuthorizationPolicyBuilder(CertificateAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new PartnerInGoodStanding())
                .Build();
            options.DefaultPolicy = partner;
            // Health, reflection and unknown methods: any partner in good standing.
            options.FallbackPolicy = partner;
            foreach (var (name, kinds) in HubPolicies.Kinds)
            {
                options.AddPolicy(name, policy => policy.Combine(partner).RequireRole(kinds));
            }
        });
        services.AddSingleton<IAuthorizationHandler, PartnerInGoodStandingHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GrpcRefusals>();
        return services;
    }

    private static readonly object PartnerKey = new();

    /// <summary>The partner making this call, as authorized (set on every call by <see cref="PartnerInGoodStandingHandler"/>).</summary>
    public static PartnerIdentity Caller(this ServerCallContext context) => Caller(context.GetHttpContext());

    public static PartnerIdentity Caller(HttpContext context) =>
        context.Items.TryGetValue(PartnerKey, out var p) && p is PartnerIdentity partner
            ? partner
            : throw new InvalidOperationException("The call was not authorized as a partner.");

    internal static void SetStanding(HttpContext context, AuthenticationResult standing)
    {
        context.Items[typeof(AuthenticationResult)] = standing;
        if (standing.Partner is { } partner)
        {
            context.Items[PartnerKey] = partner;
        }
    }

    internal static AuthenticationResult? Standing(HttpContext context) =>
        context.Items.TryGetValue(typeof(AuthenticationResult), out var s) && s is AuthenticationResult standing ? standing : null;
}

/// <summary>Met when the caller's certificate is valid now, not revoked, and names an enabled partner of the registered kind.</summary>
internal sealed class PartnerInGoodStanding : IAuthorizationRequirement;
