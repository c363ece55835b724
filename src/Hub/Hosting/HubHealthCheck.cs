using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Whether the hub can do its work: the store takes writes (its last commit worked; Redis answers), the
/// audit log takes appends and its background check found nothing altered, and the hub is not stopping.
/// Behind grpc.health.v1 (every service the hub serves, and the whole server): NOT_SERVING while any of
/// these fails, so a load balancer or a partner's tooling stops sending work that would only be answered
/// UNAVAILABLE.
/// </summary>
internal sealed class HubHealthCheck(IExchangeStore store, AuditLog audit, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the hub is stopping");
        }

        if (await store.UnwritableReasonAsync(cancellationToken) is { } unwritable)
        {
            return HealthCheckResult.Unhealthy(unwritable);
        }

        if (audit.Damage is { } damage)
        {
            return HealthCheckResult.Unhealthy("the audit log was altered: " + damage);
        }

        return audit.LastFailure is { } failure
            ? HealthCheckResult.Unhealthy("the audit log cannot be written: " + failure)
            : HealthCheckResult.Healthy();
    }
}
