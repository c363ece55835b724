using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;
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
    ILogger<AnswerPump> logger) : FolderPump(options.Value, folders.Answers, "answers", time, logger)
{
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

        IReadOnlyList<RespondRequest> answers;
        try
        {
            answers = Read(name, content);
        }
        catch (TranslationException e)
        {
            var kept = deadLetters.Keep(path, "inbound", InboxPump.Details(e));
            BridgeLog.AnswerFailed(Logger, name, e.Message, kept);
            return true;
        }

        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            try
            {
                var response = await hub.Inbox.RespondAsync(answer,
                    new Grpc.Core.CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30), Time));
                BridgeLog.Answered(Logger, answer.ExchangeId, name, response.State.ToString());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                // The answer is fine, the bridge's identity is not: keep the file where it is and stop.
                refused.Stop(e);
                return false;
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
                BridgeLog.AnswerFailed(Logger, name, e.Status.Detail, kept);
                return true;
            }
        }

        folders.ArchiveAnswer(path, Time.GetUtcNow());
        BridgeLog.Archived(Logger, name, answers.Count);
        return true;
    }
}
