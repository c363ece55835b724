using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>
/// Whether the hub can do its work: the store takes writes (its last commit worked; Redis answers), the
/// audit log takes appends and its background check found nothing altered, and the hub is not stopping.
/// Behind grpc.health.v1 (every service the hub serves, and the whole server): NOT_SERVING while any of
/// these fails, so a load balancer or a partner's tooling stops sending work that would only be answered
/// UNAVAILABLE.
/// </summary>
internal sealed class HubHealthCheck(IExchangeStore store, AuditLog audit, IHostApplicationLifetime lifetime) : IHealthCheck
{
    /// <summary>The part that failed, in an unhealthy result's data under "component": host, store or audit.</summary>
    public const string Component = "component";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Unhealthy("host", "the hub is stopping");
        }

        if (await store.UnwritableReasonAsync(cancellationToken) is { } unwritable)
        {
            return Unhealthy("store", unwritable);
        }

        if (audit.Damage is { } damage)
        {
            return Unhealthy("audit", "the audit log was altered: " + damage);
        }

        return audit.LastFailure is { } failure
            ? Unhealthy("audit", "the audit log cannot be written: " + failure)
            : HealthCheckResult.Healthy();
    }

    private static HealthCheckResult Unhealthy(string component, string reason) =>
        HealthCheckResult.Unhealthy(reason, data: new Dictionary<string, object> { [Component] = component });
}
