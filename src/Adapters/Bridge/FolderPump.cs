using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A partner's files to the hub: takes every ready file of one folder in name order, woken by the file
/// system and by a poll interval. When the hub is unreachable (or the folder cannot be read) the files stay
/// where they are and the scan is tried again after a back-off. Answer files and police request files
/// differ only in what is done with each file.
/// </summary>
internal abstract class FolderPump(BridgeOptions options, string folder, string name, TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(folder) { EnableRaisingEvents = true };
        watcher.Created += (_, _) => Wake();
        watcher.Renamed += (_, _) => Wake();
        var backoff = new Backoff(options.MaxBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.PollInterval;
            try
            {
                await ScanAsync(stoppingToken);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (HubConnection.IsTransient(e))
            {
                wait = backoff.Next();
                BridgeLog.HubUnavailable(Logger, e.Message, wait);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                wait = backoff.Next();
                BridgeLog.Unexpected(Logger, e, name, wait);
            }

            using var timeout = new CancellationTokenSource(wait, Time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
            try
            {
                await _wake.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval passed without a file-system event.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Processes every ready file in the folder once, in name order.</summary>
    internal async Task ScanAsync(CancellationToken cancellationToken)
    {
        foreach (var path in Directory.EnumerateFiles(folder).Where(BridgeFolders.IsReady).Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await ProcessAsync(path, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Handles one file; false when the bridge must stop scanning (its identity was refused).</summary>
    protected abstract Task<bool> ProcessAsync(string path, CancellationToken cancellationToken);

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
