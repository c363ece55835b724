using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The authorization policies, one per group of RPCs; every one also requires a partner in good standing.</summary>
internal static class HubPolicies
{
    public const string Police = "police";
    public const string Responders = "responders";
    public const string ReceiptHolders = "receipt-holders";
    public const string Auditors = "auditors";
    public const string Supervisors = "supervisors";

    /// <summary>Which kinds of partner each policy admits (the roles its certificates carry).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Kinds = new Dictionary<string, string[]>
    {
        [Police] = ["police"],
        [Responders] = ["bank", "carrier"],
        [ReceiptHolders] = ["police", "bank", "carrier", "auditor"],
        [Auditors] = ["auditor"],
        [Supervisors] = ["police", "auditor"],
    };
}

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
                            [new Claim(ClaimTypes.NameIdentifier, partner.Id), new Claim(ClaimTypes.Role, PartnerIdentity.KindName(partner.Kind))],
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

internal sealed class PartnerInGoodStandingHandler(PartnerAuthenticator authenticator) : AuthorizationHandler<PartnerInGoodStanding>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PartnerInGoodStanding requirement)
    {
        if (context.Resource is HttpContext http)
        {
            var standing = authenticator.Authenticate(http.Connection.ClientCertificate);
            PartnerAccess.SetStanding(http, standing);
            if (standing.Succeeded)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, standing.Refusal!));
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Answers a refused call the way a gRPC client understands: a trailers-only response with
/// UNAUTHENTICATED (the certificate, with the reason) or PERMISSION_DENIED (the RPC is not open to the
/// partner's kind), audited through the refusal aggregator.
/// </summary>
internal sealed class GrpcRefusals(RefusalAudit refusals) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        var fullName = method?.FullName ?? context.Request.Path.Value ?? "?";
        var standing = PartnerAccess.Standing(context);
        if (standing is not { Succeeded: true } || standing.Value.Partner is not { } partner)
        {
            var reason = standing?.Refusal ?? "no client certificate was presented";
            var peer = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            await refusals.RecordAsync($"{peer} unauthenticated ({standing?.Kind})", new AuditEvent(AuditEventKind.Denied, null,
                $"unauthenticated {fullName} from {peer}:{context.Connection.RemotePort} ({standing?.Subject ?? "no certificate"}): {reason}"), context.RequestAborted);
            Refuse(context, StatusCode.Unauthenticated, "Client certificate refused: " + reason + ".");
            return;
        }

        var open = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).ToList();
        var openTo = string.Join(", ", open);
        await refusals.RecordAsync($"{partner.Id} {fullName}", new AuditEvent(AuditEventKind.Denied, partner.ToRef(), $"{fullName} is open to {openTo}"),
            context.RequestAborted);
        Refuse(context, StatusCode.PermissionDenied,
            $"{method?.Name ?? fullName} is open to {openTo} partners; '{partner.Id}' is a {PartnerIdentity.KindName(partner.Kind)}.");
    }

    /// <summary>A trailers-only gRPC response: HTTP 200 with the status in the headers and no body.</summary>
    private static void Refuse(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

    /// <summary>grpc-message encoding: printable ASCII except '%' as is, every other UTF-8 byte as %XX.</summary>
    internal static string PercentEncode(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
