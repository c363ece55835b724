using AntiFraud.Exchange.Hub.Shared;
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;

namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>
/// Counts and times every call on the partner port by method, caller kind and gRPC status, refusals of the authorization
/// layer included (it runs after this). The status is read where gRPC writes it: the response trailers, or the headers of a
/// trailers-only answer.
/// </summary>
internal sealed class RpcMetrics(RequestDelegate next, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var grpc = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>();
            var method = grpc is not null ? grpc.Method.FullName.TrimStart('/')
                : context.Request.Path.StartsWithSegments("/console") ? "console" : "unknown";
            var kind = context.User.FindFirst(ClaimTypes.Role)?.Value ?? "none";
            var tags = new TagList
            {
                { "method", method }, { "partner_kind", kind },
                { "status", grpc is null ? "HTTP_" + context.Response.StatusCode.ToString(CultureInfo.InvariantCulture) : Status(context) },
            };
            HubMetrics.RpcCalls.Add(1, tags);
            HubMetrics.RpcDuration.Record(time.Since(started), tags);
        }
    }

    /// <summary>The status as written on the wire; else as the call recorded it; else CANCELLED (a stream the client left writes none).
    /// Reads only plain properties: the call's tokens are disposed by now.</summary>
    private static string Status(HttpContext context)
    {
        var code = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() is { Length: > 0 } trailer
            ? trailer
            : context.Response.Headers["grpc-status"].ToString();
        if (int.TryParse(code, out var value) && Enum.IsDefined((Grpc.Core.StatusCode)value))
        {
            return Name((Grpc.Core.StatusCode)value);
        }

        if (context.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status.StatusCode is { } recorded
            and not Grpc.Core.StatusCode.OK)
        {
            return Name(recorded);
        }

        // No status at all: the caller went away (a stream it cancelled) before the hub wrote one.
        return "CANCELLED";
    }

    private static string Name(Grpc.Core.StatusCode code) => HubMetrics.Label(code).ToUpperInvariant();
}
