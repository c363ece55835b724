using System.Collections.Concurrent;
using AntiFraud.Exchange.Hub.Audit;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Refusals, aggregated per peer (or partner) and interval, so a flood of refused calls cannot turn
/// into a flood of fsync'd audit entries. The first refusal of a key in an interval is written at once
/// (so every kind of refusal is in the log when it first happens); the rest of the interval are
/// counted and written as one summary entry when the interval ends. Memory is bounded: past
/// <see cref="MaxKeys"/> keys, refusals are counted under one shared key.
/// </summary>
internal sealed class RefusalAudit(IAuditSink audit, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int MaxKeys = 10_000;
    private const string Overflow = "(other peers)";

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Records a refusal under <paramref name="key"/>: written now if it is the first of its interval, else counted.</summary>
    public async ValueTask RecordAsync(string key, AuditEvent refusal, CancellationToken cancellationToken)
    {
        if (!_windows.ContainsKey(key) && _windows.Count >= MaxKeys)
        {
            key = Overflow;
        }

        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd(key, static _ => new Window());
        lock (window)
        {
            if (window.Start is { } start && now - start < Interval)
            {
                window.Suppressed++;
                return;
            }

            window.Start = now;
            window.Suppressed = 0;
            window.Sample = refusal;
        }

        await audit.RecordAsync(refusal, cancellationToken);
    }

    /// <summary>
    /// Writes one summary entry for each key whose interval ended (or every key, at shutdown) with
    /// refusals counted but not written; forgets idle keys.
    /// </summary>
    public async Task FlushAsync(bool all, CancellationToken cancellationToken)
    {
        var now = all ? DateTimeOffset.MaxValue : time.GetUtcNow();
        foreach (var (key, window) in _windows)
        {
            AuditEvent? summary = null;
            lock (window)
            {
                if (window.Start is not { } start || (!all && now - start < Interval))
                {
                    continue;
                }

                if (window.Suppressed > 0 && window.Sample is { } sample)
                {
                    summary = sample with
                    {
                        Detail = $"{window.Suppressed} more refusals from {key} between {start:u} and {start + Interval:u}, like: {sample.Detail}",
                        Body = null,
                    };
                }

                window.Start = null;
                window.Suppressed = 0;
            }

            if (summary is not null)
            {
                await audit.RecordAsync(summary, cancellationToken);
            }
            else
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(key, window));
            }
        }
    }

    private sealed class Window
    {
        public DateTimeOffset? Start { get; set; }

        public long Suppressed { get; set; }

        public AuditEvent? Sample { get; set; }
    }
}
