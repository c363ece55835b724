using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Answers a refused call the way a gRPC client understands: a trailers-only response with
/// UNAUTHENTICATED (the certificate, with the reason) or PERMISSION_DENIED (the RPC is not open to the
/// partner's kind), audited through the refusal aggregator.
/// </summary>
internal sealed class GrpcRefusals(RefusalAudit refusals) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
        PolicyAuthorizationResult authorizeResult)
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
            await RefuseAsync(context, StatusCode.Unauthenticated, "Client certificate refused: " + reason + ".");
            return;
        }

        // A combined policy (the console's pages) admits the kinds every one of its role requirements admits.
        var roleSets = policy.Requirements.OfType<RolesAuthorizationRequirement>().Select(r => r.AllowedRoles).ToList();
        var open = roleSets.Count == 0 ? [] : roleSets.Skip(1).Aggregate(roleSets[0].ToList(), (kinds, set) => [.. kinds.Intersect(set)]);
        var openTo = string.Join(", ", open);
        await refusals.RecordAsync($"{partner.Id} {fullName}", new AuditEvent(AuditEventKind.Denied, partner.ToRef(),
            $"{fullName} is open to {openTo}"),
            context.RequestAborted);
        await RefuseAsync(context, StatusCode.PermissionDenied,
            $"{method?.Name ?? fullName} is open to {openTo} partners; '{partner.Id}' is a {PartnerIdentity.KindName(partner.Kind)}.");
    }

    /// <summary>A trailers-only gRPC response: HTTP 200 with the status in the headers and no body. A browser (the web console)
    /// gets 401 or 403 with the same sentence.</summary>
    private static async Task RefuseAsync(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        if (GrpcMethodOf(context) is null && !(context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) ?? false))
        {
            response.StatusCode = code == StatusCode.Unauthenticated ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(message + "\n", context.RequestAborted);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

    private static GrpcMethodMetadata? GrpcMethodOf(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>();

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
