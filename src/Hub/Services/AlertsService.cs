using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in Alerts/.

/// <summary>antifraud.exchange.v1.Alerts: banks, carriers and city centres raise; police units claim and report; raisers and auditors
/// read.</summary>
internal sealed class AlertsService(AlertDesk desk) : Contract.V1.Alerts.AlertsBase
{
    [Authorize(Policy = HubPolicies.Raisers)]
    public override Task<RaiseAlertResponse> Raise(RaiseAlertRequest request, ServerCallContext context) =>
        desk.RaiseAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<AlertView> Get(GetAlertRequest request, ServerCallContext context) =>
        desk.GetAsync(context.Caller(), request.AlertId, context.CancellationToken);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<AlertList> List(ListAlertsRequest request, ServerCallContext context) =>
        desk.ListAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Police)]
    public override Task<AlertView> Claim(ClaimAlertRequest request, ServerCallContext context) =>
        desk.ClaimAsync(context.Caller(), request.AlertId, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Police)]
    public override Task<ReportOutcomeResponse> ReportOutcome(ReportOutcomeRequest request, ServerCallContext context) =>
        desk.ReportOutcomeAsync(context.Caller(), request, context.CancellationToken);
}
