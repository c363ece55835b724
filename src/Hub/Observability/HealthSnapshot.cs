using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>
/// The newest result of the hub's health checks, as the publisher computes it every second (the same result grpc.health.v1
/// answers from). <c>/readyz</c> and the <c>afx_up</c> gauges read it, so neither a load balancer's probe nor a scrape ever
/// drives a store round trip of its own.
/// </summary>
internal sealed class HealthSnapshot : IHealthCheckPublisher
{
    private volatile HealthReport? _latest;

    /// <summary>Null until the first check has run (the hub is starting).</summary>
    public HealthReport? Latest => _latest;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _latest = report;
        return Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="component"/> (store, audit, host) is working in the newest result; true before the first.</summary>
    public bool IsUp(string component) => _latest is not { } report
        || !report.Entries.Values.Any(e => e.Status != HealthStatus.Healthy
            && e.Data.TryGetValue(HubHealthCheck.Component, out var c) && (string)c == component);

    /// <summary>Why the hub is not ready, or null when it is.</summary>
    public string? NotReadyReason() => _latest switch
    {
        null => "the hub is starting: its first health check has not run",
        { Status: HealthStatus.Healthy } => null,
        var report => string.Join("; ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy)
            .Select(e => e.Description ?? e.Exception?.Message ?? "unhealthy")),
    };
}
