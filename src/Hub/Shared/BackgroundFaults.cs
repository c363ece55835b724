using System.Collections.Concurrent;

namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>
/// Failures of the hub's background work (deadline timers, checkpoints, replica resynchronisation).
/// A background service never stops the host: it records the failure here (logged, counted per
/// service) and carries on.
/// </summary>
internal sealed class BackgroundFaults
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>How many failures each background service has had since start.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    public long Total => _counts.Values.Sum();

    public void Record(string service, Exception exception, ILogger logger)
    {
        var count = _counts.AddOrUpdate(service, 1, static (_, n) => n + 1);
        HubMetrics.BackgroundFaults.Add(1, new KeyValuePair<string, object?>("service", service));
        SharedLog.BackgroundFault(logger, service, count, exception);
    }
}
