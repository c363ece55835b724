using System.Text;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A police unit's case system to the hub: takes request files from requests/ in name order (canonical
/// JSON SubmitRequest, one or an array), submits each with the unit's certificate, writes the hub's
/// replies to receipts/NAME and archives the file. A file that cannot be read, or a request the hub
/// refuses, goes to dead-letter/ with its reason; when the hub is unreachable the file stays and is
/// tried again. Submit is idempotent by the request's key, so a retry never submits twice.
/// </summary>
internal sealed class SubmissionPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<SubmissionPump> logger) : BackgroundService
{
    private static readonly CanonicalJson<SubmitRequest> Reader = new(SubmitRequest.Descriptor);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(options.Value.MaxBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.Value.PollInterval;
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
                BridgeLog.Unexpected(logger, e, "requests", wait);
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Processes every ready file in requests/ once, in name order.</summary>
    internal async Task ScanAsync(CancellationToken cancellationToken)
    {
        foreach (var path in Directory.EnumerateFiles(folders.Requests).Where(BridgeFolders.IsReady).Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await ProcessAsync(path, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>False when the bridge must stop (its identity was refused).</summary>
    private async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return true;
        }

        IReadOnlyList<SubmitRequest> requests;
        try
        {
            requests = Read(content);
        }
        catch (TranslationException e)
        {
            var kept = deadLetters.Keep(path, "submission", InboxPump.Details(e));
            BridgeLog.SubmissionFailed(logger, name, e.Message, kept);
            return true;
        }

        var replies = new StringBuilder("[\n");
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                var reply = await hub.Exchange.SubmitAsync(requests[i],
                    new CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30), time));
                replies.Append(i > 0 ? ",\n" : string.Empty).Append(Formatter.Format(reply));
                BridgeLog.Submitted(logger, reply.ExchangeId, name, reply.Duplicate);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                refused.Stop(e);
                return false;
            }
            catch (RpcException e) when (!HubConnection.IsTransient(e))
            {
                var kept = deadLetters.Keep(path, "submission", new Dictionary<string, string>
                {
                    ["position"] = $"request {i + 1} of {requests.Count}",
                    ["field"] = e.Status.Detail.Split(':')[0],
                    ["problem"] = $"the hub refused the request: {e.StatusCode}: {e.Status.Detail}"
                        + (i > 0 ? $" (requests 1 to {i} were accepted; re-submitting them returns the same exchanges)" : ""),
                });
                BridgeLog.SubmissionFailed(logger, name, e.Status.Detail, kept);
                return true;
            }
        }

        BridgeFolders.WriteDurably(BridgeFolders.Unique(Path.Combine(folders.Receipts, Path.ChangeExtension(name, ".receipt.json"))),
            Encoding.UTF8.GetBytes(replies.Append("\n]\n").ToString()));
        folders.ArchiveAnswer(path, time.GetUtcNow());
        BridgeLog.Archived(logger, name, requests.Count);
        return true;
    }

    private static IReadOnlyList<SubmitRequest> Read(byte[] content)
    {
        try
        {
            return Reader.Read(content);
        }
        catch (Exception e) when (e is not TranslationException)
        {
            throw TranslationException.Unexpected(CanonicalJson<SubmitRequest>.Name, e);
        }
    }
}
