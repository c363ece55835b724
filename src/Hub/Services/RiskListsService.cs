using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Lists;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

/// <summary>antifraud.exchange.v1.RiskLists: city centres publish; banks and carriers screen and report hits.</summary>
internal sealed class RiskListsService(ListDesk desk) : RiskLists.RiskListsBase
{
    [Authorize(Policy = HubPolicies.Police)]
    public override Task<PublishEntriesResponse> Publish(PublishEntriesRequest request, ServerCallContext context) =>
        desk.PublishAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task<ScreeningSet> GetScreeningSet(GetScreeningSetRequest request, ServerCallContext context) =>
        desk.GetScreeningSetAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context) =>
        desk.EvaluateAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task<ReportHitResponse> ReportHit(ReportHitRequest request, ServerCallContext context) =>
        desk.ReportHitAsync(context.Caller(), request, context.CancellationToken);
}
