using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Runs before every handler: authenticates the caller from its certificate (UNAUTHENTICATED), then
/// checks its kind may call the method (PERMISSION_DENIED). Every refusal is audited. Refusal reasons
/// speak only of the caller's own certificate and rights, never of other partners.
/// </summary>
internal sealed class PartnerAuthenticationFilter(PartnerAuthenticator authenticator, RefusalAudit refusals) : IServerCallFilter
{
    private static readonly object PartnerKey = new();

    public async ValueTask OnCallAsync(ServerCallContext context)
    {
        var result = authenticator.Authenticate(context.ClientCertificate);
        if (!result.Succeeded)
        {
            var peer = context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            await refusals.RecordAsync($"{peer} unauthenticated ({result.Kind})", new AuditEvent(AuditEventKind.Denied, null,
                $"unauthenticated {context.Method.FullName} from {context.Peer} ({result.Subject ?? "no certificate"}): {result.Refusal}"),
                context.CancellationToken);
            throw new RpcException(StatusCode.Unauthenticated, "Client certificate refused: " + result.Refusal + ".");
        }

        var partner = result.Partner!;
        if (!AccessPolicy.Allows(context.Method.FullName, partner.Kind))
        {
            await refusals.RecordAsync($"{partner.Id} {context.Method.FullName}", new AuditEvent(AuditEventKind.Denied, partner.ToRef(),
                $"{context.Method.FullName} is open to {AccessPolicy.Describe(context.Method.FullName)}"), context.CancellationToken);
            throw new RpcException(StatusCode.PermissionDenied,
                $"{context.Method.Name} is open to {AccessPolicy.Describe(context.Method.FullName)} partners; '{partner.Id}' is a {PartnerIdentity.KindName(partner.Kind)}.");
        }

        context.Items[PartnerKey] = partner;
    }

    /// <summary>The authenticated caller of a call that passed the filter.</summary>
    public static PartnerIdentity Caller(ServerCallContext context) =>
        context.Items.TryGetValue(PartnerKey, out var p) && p is PartnerIdentity partner
            ? partner
            : throw new InvalidOperationException("The call did not pass partner authentication.");
}

public static class CallerExtensions
{
    /// <summary>The partner making this call, as proven by its certificate.</summary>
    public static PartnerIdentity Caller(this ServerCallContext context) => PartnerAuthenticationFilter.Caller(context);
}
