using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// Keeps alerts moving without anyone asking. At start it finishes every dispatch a crash interrupted
/// (an alert acknowledged to its raiser is always dispatched) and makes every escalation a crash missed.
/// While running it escalates to the parent unit as soon as a unit's contact deadline passes: the deadline
/// tracker fires DEADLINE_PASSED once across replicas, and the replica that fired it escalates.
/// </summary>
internal sealed class AlertWatchdog(
    IAlertStore alerts,
    IExchangeStore store,
    AlertDispatcher dispatcher,
    EventBus bus,
    BackgroundFaults faults,
    TimeProvider time,
    ILogger<AlertWatchdog> logger) : PublishedEvents(bus)
{
    /// <summary>How far back the start-up sweep looks for open alerts with missed escalations.</summary>
    internal static readonly TimeSpan SweepWindow = TimeSpan.FromDays(2);

    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the start-up sweep is done.</summary>
    public Task Recovered => _recovered.Task;

    protected override bool Wants(WatchEvent e) =>
        e.Escalation?.Level == EscalationLevel.DeadlinePassed && e.Snapshot.Request?.KindCase == Request.KindOneofCase.WarnVictim;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        await foreach (var missed in Queued.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await dispatcher.EscalateAsync(missed, stoppingToken);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A background service never stops the host; an escalation is retried until it is made.
                    faults.Record(nameof(AlertWatchdog), ex, logger);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), time, stoppingToken);
                }
            }
        }
    }

    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var pending = await alerts.ListPendingAsync(stoppingToken);
                foreach (var alert in pending)
                {
                    await dispatcher.DispatchAsync(alert, stoppingToken);
                }

                var escalated = 0;
                var now = time.GetUtcNow();
                foreach (var alert in await alerts.ListAsync(now - SweepWindow, now.AddSeconds(1), stoppingToken, openOnly: true))
                {
                    foreach (var assignment in alert.Assignments.ToList())
                    {
                        if (await store.GetAsync(assignment.ExchangeId, stoppingToken) is { State: ExchangeState.Expired } record)
                        {
                            await dispatcher.EscalateAsync(record, stoppingToken);
                            escalated++;
                        }
                    }
                }

                AlertLog.Recovered(logger, pending.Count, escalated);
                _recovered.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                faults.Record(nameof(AlertWatchdog), ex, logger);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 2 * attempt)), time, stoppingToken);
            }
        }
    }
}
