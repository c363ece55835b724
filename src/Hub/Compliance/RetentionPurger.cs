using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Compliance;

/// <summary>
/// Applies the retention policy: about every <c>purgeEveryMinutes</c> it erases the personal data of exchanges that ended, of
/// closed alerts raised, and of risk-list entries revoked or expired, longer ago than the policy keeps them, except cases under a
/// legal hold. It works in batches of one write each and rests as long as each batch took, so live submissions interleave with a
/// long purge. Each pass that erased anything is one PURGED audit entry with the counts (the audit log itself holds no clear data
/// and keeps every entry).
/// </summary>
internal sealed class RetentionPurger(
    RetentionPolicy policy,
    IRetentionStore store,
    IAuditSink audit,
    TimeProvider time,
    BackgroundFaults faults,
    ILogger<RetentionPurger> logger) : PeriodicService(CheckEvery, time, faults, logger)
{
    /// <summary>How often the purger looks whether a pass is due (the policy's purgeEveryMinutes decides when one is).</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);

    private DateTimeOffset _lastPass = DateTimeOffset.MinValue;

    public RetentionRules Rules => policy.Current;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var rules = Rules;
        if (Time.GetUtcNow() - _lastPass < rules.PurgeEvery)
        {
            return;
        }

        _lastPass = Time.GetUtcNow();
        await PurgeAsync(cancellationToken);
    }

    /// <summary>One pass over everything the policy no longer keeps.</summary>
    public async Task<PurgeResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var rules = Rules;
        var now = Time.GetUtcNow();
        var started = Time.GetTimestamp();
        var exchanges = rules.Exchanges is { } e ? await PassAsync(store.PurgeExchangesAsync, now - e, rules.BatchSize, cancellationToken) : default;
        var alerts = rules.Alerts is { } a ? await PassAsync(store.PurgeAlertsAsync, now - a, rules.BatchSize, cancellationToken) : default;
        var entries = rules.ListEntries is { } l ? await PassAsync(store.PurgeListEntriesAsync, now - l, rules.BatchSize, cancellationToken) : default;
        var result = new PurgeResult(exchanges.Erased, alerts.Erased, entries.Erased, exchanges.Values + alerts.Values + entries.Values,
            Time.GetElapsedTime(started));
        if (result.Exchanges + result.Alerts + result.ListEntries > 0)
        {
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"Retention purge: erased the personal data of {result.Exchanges} exchanges ended before {now - rules.Exchanges:u}, {result.Alerts} closed alerts raised before {now - rules.Alerts:u} and {result.ListEntries} list entries removed before {now - rules.ListEntries:u} ({result.Values} values); cases under a legal hold were kept");
            await audit.RecordAsync(new AuditEvent(AuditEventKind.Purged, Hub, detail), cancellationToken);
            RetentionLog.Purged(logger, result.Exchanges, result.Alerts, result.ListEntries, result.Values, (long)result.Took.TotalMilliseconds);
        }

        return result;
    }

    private static readonly PartnerRef Hub = new() { Kind = PartnerKind.Unspecified, Id = "hub" };

    /// <summary>
    /// Batch after batch until nothing is left. After each batch the purger waits as long as the batch took, so it holds the store's
    /// single writer at most half the time and a live write waits behind at most one batch.
    /// </summary>
    private async Task<(int Erased, int Values)> PassAsync(
        Func<DateTimeOffset, PurgeCursor?, int, CancellationToken, Task<PurgeBatch>> batch, DateTimeOffset before, int size,
        CancellationToken cancellationToken)
    {
        PurgeCursor? cursor = null;
        int erased = 0, values = 0;
        do
        {
            var started = Time.GetTimestamp();
            var done = await batch(before, cursor, size, cancellationToken);
            erased += done.Erased;
            values += done.Values;
            cursor = done.Next;
            var took = Time.GetElapsedTime(started);
            if (cursor is not null && took > TimeSpan.Zero)
            {
                await Task.Delay(took, Time, cancellationToken);
            }
        }
        while (cursor is not null);

        return (erased, values);
    }
}

internal readonly record struct PurgeResult(int Exchanges, int Alerts, int ListEntries, int Values, TimeSpan Took);

internal static partial class RetentionLog
{
    [LoggerMessage(140, LogLevel.Information,
        "Retention purge erased the personal data of {Exchanges} exchanges, {Alerts} alerts and {ListEntries} list entries ({Values} values) in {Milliseconds} ms")]
    public static partial void Purged(ILogger logger, int exchanges, int alerts, int listEntries, int values, long milliseconds);
}
