using System.Text;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A partner's system to the hub, one file at a time in name order: each file is read into requests, each
/// is sent with the partner's certificate, the hub's replies go to receipts/NAME.receipt.json and the file
/// is archived. A file that cannot be read, or a request the hub refuses, goes to dead-letter/ with its
/// reason; when the hub is unreachable the file stays and is tried again. Every request carries an
/// idempotency key, so a retry never sends twice.
/// </summary>
internal abstract class SendingPump<TRequest, TReply>(
    BridgeOptions options,
    string folder,
    string name,
    string direction,
    BridgeFolders folders,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger logger) : FolderPump(options, folder, name, time, logger)
    where TReply : IMessage
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    /// <summary>The file's requests; throws a TranslationException naming what is wrong.</summary>
    protected abstract IReadOnlyList<TRequest> Read(byte[] content);

    protected abstract Task<TReply> SendAsync(TRequest request, CallOptions options);

    protected abstract void Sent(TReply reply, string file);

    protected override async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var file = Path.GetFileName(path);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return true;
        }

        IReadOnlyList<TRequest> requests;
        try
        {
            requests = Read(content);
        }
        catch (TranslationException e)
        {
            var kept = deadLetters.Keep(path, direction, InboxPump.Details(e));
            BridgeLog.SubmissionFailed(Logger, file, e.Message, kept);
            return true;
        }

        var replies = new StringBuilder("[\n");
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                var reply = await SendAsync(requests[i], new CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30), Time));
                replies.Append(i > 0 ? ",\n" : string.Empty).Append(Formatter.Format(reply));
                Sent(reply, file);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                refused.Stop(e);
                return false;
            }
            catch (RpcException e) when (!HubConnection.IsTransient(e))
            {
                var kept = deadLetters.Keep(path, direction, new Dictionary<string, string>
                {
                    ["position"] = $"request {i + 1} of {requests.Count}",
                    ["field"] = e.Status.Detail.Split(':')[0],
                    ["problem"] = $"the hub refused the request: {e.StatusCode}: {e.Status.Detail}"
                        + (i > 0 ? $" (requests 1 to {i} were accepted; sending them again returns the same replies)" : ""),
                });
                BridgeLog.SubmissionFailed(Logger, file, e.Status.Detail, kept);
                return true;
            }
        }

        BridgeFolders.WriteDurably(BridgeFolders.Unique(Path.Combine(folders.Receipts, Path.ChangeExtension(file, ".receipt.json"))),
            Encoding.UTF8.GetBytes(replies.Append("\n]\n").ToString()));
        folders.ArchiveAnswer(path, Time.GetUtcNow());
        BridgeLog.Archived(Logger, file, requests.Count);
        return true;
    }
}
