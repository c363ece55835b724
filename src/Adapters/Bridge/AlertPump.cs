using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A bank's risk engine or a carrier's fraud-call platform to the hub: alert exports (bank-alert-csv or
/// carrier-alert-csv) dropped in alerts/ are raised one row at a time; replies to receipts/, refusals and
/// unreadable files to dead-letter/ (direction "alert"). The row's alert_key makes a re-run raise nothing new.
/// </summary>
internal sealed class AlertPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<AlertPump> logger)
    : SendingPump<RaiseAlertRequest, RaiseAlertResponse>(options.Value, folders.Alerts, "alerts", "alert", folders, deadLetters, time,
        refused, logger)
{
    protected override IReadOnlyList<RaiseAlertRequest> Read(byte[] content)
    {
        try
        {
            return AlertCsv.Read(content);
        }
        catch (Exception e) when (e is not TranslationException)
        {
            throw TranslationException.Unexpected("alert-csv", e);
        }
    }

    protected override Task<RaiseAlertResponse> SendAsync(RaiseAlertRequest request, CallOptions options) =>
        hub.Alerts.RaiseAsync(request, options).ResponseAsync;

    protected override void Sent(RaiseAlertResponse reply, string file) =>
        BridgeLog.Raised(Logger, reply.AlertId, file, reply.Duplicate ? " (already raised)" : reply.Fused ? " (fused)" : string.Empty, reply.Tier);
}
