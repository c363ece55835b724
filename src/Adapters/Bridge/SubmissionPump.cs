using System.Text;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Grpc.Core;
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
    ILogger<SubmissionPump> logger) : FolderPump(options.Value, folders.Requests, "requests", time, logger)
{
    private static readonly CanonicalJson<SubmitRequest> Reader = new(SubmitRequest.Descriptor);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    protected override async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
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
            BridgeLog.SubmissionFailed(Logger, name, e.Message, kept);
            return true;
        }

        var replies = new StringBuilder("[\n");
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                var reply = await hub.Exchange.SubmitAsync(requests[i],
                    new CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30), Time));
                replies.Append(i > 0 ? ",\n" : string.Empty).Append(Formatter.Format(reply));
                BridgeLog.Submitted(Logger, reply.ExchangeId, name, reply.Duplicate);
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
                BridgeLog.SubmissionFailed(Logger, name, e.Status.Detail, kept);
                return true;
            }
        }

        BridgeFolders.WriteDurably(BridgeFolders.Unique(Path.Combine(folders.Receipts, Path.ChangeExtension(name, ".receipt.json"))),
            Encoding.UTF8.GetBytes(replies.Append("\n]\n").ToString()));
        folders.ArchiveAnswer(path, Time.GetUtcNow());
        BridgeLog.Archived(Logger, name, requests.Count);
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
