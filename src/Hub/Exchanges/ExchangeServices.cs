using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Exchanges;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in ExchangeCoordinator.

/// <summary>antifraud.exchange.v1.Exchange: police centres submit, read, cancel and watch.</summary>
[Authorize(Policy = HubPolicies.Police)]
internal sealed class ExchangeService(ExchangeCoordinator core, PartnerStreams streams) : Contract.V1.Exchange.ExchangeBase
{
    public override Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context) =>
        core.SubmitAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ExchangeRecord> Get(GetExchangeRequest request, ServerCallContext context) =>
        core.GetAsync(context.Caller(), request.ExchangeId, context.CancellationToken);

    public override Task<ExchangeRecord> Cancel(CancelExchangeRequest request, ServerCallContext context) =>
        core.CancelAsync(context.Caller(), request, context.CancellationToken);

    public override Task<CaseView> GetCase(GetCaseRequest request, ServerCallContext context) =>
        core.GetCaseAsync(context.Caller(), request.CaseNumber, context.CancellationToken);

    public override Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context) =>
        streams.RunAsync(context, responseStream, (stream, token) => core.WatchAsync(context.Caller(), request, stream, token));
}

/// <summary>antifraud.exchange.v1.Inbox: banks and carriers receive, acknowledge and answer.</summary>
[Authorize(Policy = HubPolicies.Responders)]
internal sealed class InboxService(ExchangeCoordinator core, PartnerStreams streams) : Inbox.InboxBase
{
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<InboxItem> responseStream, ServerCallContext context) =>
        streams.RunAsync(context, responseStream, (stream, token) => core.SubscribeAsync(context.Caller(), request, stream, token));

    public override Task<AckResponse> Ack(AckRequest request, ServerCallContext context) =>
        core.AckAsync(context.Caller(), request.ExchangeId, context.CancellationToken);

    public override Task<RespondResponse> Respond(RespondRequest request, ServerCallContext context) =>
        core.RespondAsync(context.Caller(), request, context.CancellationToken);
}

/// <summary>antifraud.exchange.v1.Operations: who is late, and who is registered.</summary>
[Authorize(Policy = HubPolicies.Supervisors)]
internal sealed class OperationsService(Compliance.ComplianceCalculator compliance, PartnerRegistry registry) : Operations.OperationsBase
{
    public override Task<ComplianceReport> GetCompliance(GetComplianceRequest request, ServerCallContext context) =>
        compliance.ReportAsync(request, context.CancellationToken);

    public override Task<PartnerList> ListPartners(ListPartnersRequest request, ServerCallContext context)
    {
        var list = new PartnerList();
        list.Partners.AddRange(registry.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new PartnerInfo
        {
            Partner = new PartnerRef { Kind = p.Kind, Id = p.Id },
            DisplayName = p.DisplayName,
            Enabled = p.Enabled,
        }));
        return Task.FromResult(list);
    }
}
