using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// The hub refused the bridge's identity (UNAUTHENTICATED: a revoked, expired or unregistered
/// certificate; PERMISSION_DENIED: a partner kind that has no inbox). Retrying cannot help, so the
/// bridge says why and stops with a non-zero exit code instead of waiting forever for a hub that is up.
/// </summary>
internal sealed class IdentityRefused(IHostApplicationLifetime lifetime, ILogger<IdentityRefused> logger)
{
    /// <summary>Why the bridge stopped, or null while it runs.</summary>
    public string? Reason { get; private set; }

    public static bool Is(Exception exception) =>
        exception is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied };

    public void Stop(RpcException refusal)
    {
        Reason ??= $"{refusal.StatusCode}: {refusal.Status.Detail}";
        BridgeLog.IdentityRefused(logger, Reason);
        lifetime.StopApplication();
    }
}
