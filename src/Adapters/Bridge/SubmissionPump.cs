using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A police unit's case system to the hub: request files from requests/ (canonical JSON SubmitRequest, one
/// or an array) are submitted; replies to receipts/, refusals to dead-letter/ (direction "submission").
/// </summary>
internal sealed class SubmissionPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<SubmissionPump> logger)
    : SendingPump<SubmitRequest, SubmitResponse>(options.Value, folders.Requests, "requests", "submission", folders, deadLetters, time, refused,
        logger)
{
    private static readonly CanonicalJson<SubmitRequest> Reader = new(SubmitRequest.Descriptor);

    protected override IReadOnlyList<SubmitRequest> Read(byte[] content)
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

    protected override Task<SubmitResponse> SendAsync(SubmitRequest request, CallOptions options) =>
        hub.Exchange.SubmitAsync(request, options).ResponseAsync;

    protected override void Sent(SubmitResponse reply, string file) => BridgeLog.Submitted(Logger, reply.ExchangeId, file, reply.Duplicate);
}
