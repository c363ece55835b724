namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>
/// A background service that does its work every <paramref name="interval"/> on the hub's clock (expiries, audit flushes, files the
/// operator edits). A failed round is recorded in <see cref="BackgroundFaults"/> and the next one tries again: it never stops the host.
/// <see cref="OnStoppedAsync"/> runs once when the host stops (a last flush).
/// </summary>
internal abstract class PeriodicService(TimeSpan interval, TimeProvider time, BackgroundFaults faults, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected virtual Task OnStoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(interval, Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                faults.Record(GetType().Name, ex, logger);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await OnStoppedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            faults.Record(GetType().Name, ex, logger);
        }
    }
}
