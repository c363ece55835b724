using System.Diagnostics.Metrics;

namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>
/// The hub's own instruments (meter "AntiFraud.Exchange.Hub"), scraped on the operations port as Prometheus text
/// (<c>afx_rpc_calls_total</c>, <c>afx_rpc_duration_seconds</c>, ...). Labels carry partner kinds, partner ids, methods,
/// statuses, request kinds and tiers: never a name, a case number or any personal data.
/// Recording is a few lock-free additions; with nothing listening it is a no-op.
/// </summary>
internal static class HubMetrics
{
    public const string MeterName = "AntiFraud.Exchange.Hub";

    /// <summary>Seconds, from a quarter of a millisecond to a minute: unary calls, commits and appends alike.</summary>
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    public static readonly Meter Meter = new(MeterName, typeof(HubMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> RpcCalls = Meter.CreateCounter<long>("afx.rpc.calls", "{call}",
        "Calls finished, by method, caller kind (police, bank, carrier, auditor; none when refused before it was known) and gRPC status.");

    public static readonly Histogram<double> RpcDuration = Meter.CreateHistogram("afx.rpc.duration", "s",
        "Time from the request's arrival to its status, by method, caller kind and gRPC status (streams: the stream's life).",
        advice: LatencyBuckets);

    public static readonly Histogram<double> StoreCommit = Meter.CreateHistogram("afx.store.commit.duration", "s",
        "The store's durable writes, by provider: sqlite, one group commit (transaction start to durable commit); redis, one round trip "
        + "(a script or a command; with appendfsync always, after the AOF write).", advice: LatencyBuckets);

    public static readonly Histogram<double> AuditAppend = Meter.CreateHistogram("afx.audit.append.duration", "s",
        "From an audit entry's request to its receipt (durable, in the tree, its committed body stored).", advice: LatencyBuckets);

    public static readonly Counter<long> Escalations = Meter.CreateCounter<long>("afx.deadlines.escalations", "{escalation}",
        "Deadline escalations made: level deadline_approaching, deadline_passed (missed) or hold_expiring; by request kind and tier.");

    public static readonly Counter<long> AlertsRaised = Meter.CreateCounter<long>("afx.alerts.raised", "{alert}",
        "Early-warning alerts raised or fused, by tier.");

    public static readonly Counter<long> BackgroundFaults = Meter.CreateCounter<long>("afx.background.faults", "{fault}",
        "Failures of background services (each is logged and retried; the host carries on), by service.");

    /// <summary>Seconds elapsed since <paramref name="startTimestamp"/>, a timestamp of <paramref name="time"/>.</summary>
    public static double Since(this TimeProvider time, long startTimestamp) => time.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>The name an enum value takes in labels: snake case, lower (Priority.Critical: critical).</summary>
    public static string Label(Enum value) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
