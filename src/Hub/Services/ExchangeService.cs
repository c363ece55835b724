using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in the flows of Exchanges/.

/// <summary>antifraud.exchange.v1.Exchange: police centres submit, read, cancel and watch.</summary>
[Authorize(Policy = HubPolicies.Police)]
internal sealed class ExchangeService(Submissions submissions, WatchStreams watches,
    PartnerStreams streams, LegalHolds holds) : Contract.V1.Exchange.ExchangeBase
{
    public override Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context) =>
        submissions.SubmitAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ExchangeRecord> Get(GetExchangeRequest request, ServerCallContext context) =>
        submissions.GetAsync(context.Caller(), request.ExchangeId, context.CancellationToken);

    public override Task<ExchangeRecord> Cancel(CancelExchangeRequest request, ServerCallContext context) =>
        submissions.CancelAsync(context.Caller(), request, context.CancellationToken);

    public override Task<CaseView> GetCase(GetCaseRequest request, ServerCallContext context) =>
        submissions.GetCaseAsync(context.Caller(), request.CaseNumber, context.CancellationToken);

    public override Task<LegalHold> SetLegalHold(SetLegalHoldRequest request, ServerCallContext context) =>
        holds.SetAsync(context.Caller(), request, context.CancellationToken);

    public override Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context) =>
        streams.RunAsync(context, responseStream, (stream, token) => watches.WatchAsync(context.Caller(), request, stream, token));
}
