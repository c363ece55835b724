using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in the flows of Exchanges/.

/// <summary>antifraud.exchange.v1.Inbox: banks and carriers receive, acknowledge and answer; police units receive and claim
/// dissuasion instructions (their outcomes go to the Alerts service).</summary>
internal sealed class InboxService(InboxDelivery inbox, PartnerStreams streams) : Inbox.InboxBase
{
    [Authorize(Policy = HubPolicies.Recipients)]
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<InboxItem> responseStream, ServerCallContext context) =>
        streams.RunAsync(context, responseStream, (stream, token) => inbox.SubscribeAsync(context.Caller(), request, stream, token));

    [Authorize(Policy = HubPolicies.Recipients)]
    public override Task<PeekResponse> Peek(PeekRequest request, ServerCallContext context) =>
        inbox.PeekAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Recipients)]
    public override Task<AckResponse> Ack(AckRequest request, ServerCallContext context) =>
        inbox.AckAsync(context.Caller(), request.ExchangeId, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task<RespondResponse> Respond(RespondRequest request, ServerCallContext context) =>
        inbox.RespondAsync(context.Caller(), request, context.CancellationToken);
}
