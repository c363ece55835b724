using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// Partner to hub: takes answer files from answers/ in name order, translates them and calls Respond for
/// each answer, then archives the file. A file that cannot be translated, or an answer the hub refuses,
/// sends the file to dead-letter/ with its reason. When the hub is unreachable the file stays where it
/// is and is tried again after a back-off; Respond is idempotent, so a retry never answers twice.
/// </summary>
internal sealed class AnswerPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    BridgeTranslators translators,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<AnswerPump> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(folders.Answers) { EnableRaisingEvents = true };
        watcher.Created += (_, _) => Wake();
        watcher.Renamed += (_, _) => Wake();
        var backoff = new Backoff(options.Value.MaxBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait = options.Value.PollInterval;
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
                BridgeLog.HubUnavailable(logger, e.Message, wait);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                wait = backoff.Next();
                BridgeLog.Unexpected(logger, e, "answers", wait);
            }

            using var timeout = new CancellationTokenSource(wait, time);
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

    /// <summary>Processes every ready file in answers/ once, in name order.</summary>
    internal async Task ScanAsync(CancellationToken cancellationToken)
    {
        foreach (var path in Directory.EnumerateFiles(folders.Answers).Where(BridgeFolders.IsReady).Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ProcessAsync(path, cancellationToken);
        }
    }

    private IReadOnlyList<RespondRequest> Read(string name, byte[] content)
    {
        var translator = translators.ForAnswer(name, content);
        try
        {
            return translator.Read(content);
        }
        catch (Exception e) when (e is not TranslationException)
        {
            throw TranslationException.Unexpected(translator.Format.Name, e);
        }
    }

    private async Task ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        IReadOnlyList<RespondRequest> answers;
        try
        {
            answers = Read(name, content);
        }
        catch (TranslationException e)
        {
            var kept = deadLetters.Keep(path, "inbound", InboxPump.Details(e));
            BridgeLog.AnswerFailed(logger, name, e.Message, kept);
            return;
        }

        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            try
            {
                var response = await hub.Inbox.RespondAsync(answer,
                    new Grpc.Core.CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30), time));
                BridgeLog.Answered(logger, answer.ExchangeId, name, response.State.ToString());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                // The answer is fine, the bridge's identity is not: keep the file where it is and stop.
                refused.Stop(e);
                return;
            }
            catch (RpcException e) when (!HubConnection.IsTransient(e))
            {
                var kept = deadLetters.Keep(path, "inbound", new Dictionary<string, string>
                {
                    ["position"] = $"answer {i + 1} of {answers.Count}",
                    ["field"] = "exchange " + answer.ExchangeId,
                    ["problem"] = $"the hub refused the answer: {e.StatusCode}: {e.Status.Detail}"
                        + (i > 0 ? $" (answers 1 to {i} were accepted; re-submitting them again is harmless)" : ""),
                });
                BridgeLog.AnswerFailed(logger, name, e.Status.Detail, kept);
                return;
            }
        }

        folders.ArchiveAnswer(path, time.GetUtcNow());
        BridgeLog.Archived(logger, name, answers.Count);
    }
}
