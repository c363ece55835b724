using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// Writes the newest signed checkpoint to audit.checkpoint at a regular interval when the log has
/// grown, for operators and offline verifiers. A failure is logged and counted; the next interval tries
/// again, and the hub keeps serving (checkpoints are served from memory).
/// </summary>
internal sealed class AuditCheckpointer(AuditLog log, TimeProvider time, BackgroundFaults faults,
    ILogger<AuditCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first, so a failing first write never fails the host's start.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                log.SignCheckpoint();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                faults.Record(nameof(AuditCheckpointer), ex, logger);
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
