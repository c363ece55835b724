using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>Writes the refusal summaries as their intervals end.</summary>
internal sealed class RefusalAuditFlusher(RefusalAudit refusals, TimeProvider time, BackgroundFaults faults,
    ILogger<RefusalAuditFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await refusals.FlushAsync(all: false, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                faults.Record(nameof(RefusalAuditFlusher), ex, logger);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await refusals.FlushAsync(all: true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            faults.Record(nameof(RefusalAuditFlusher), ex, logger);
        }
    }
}
