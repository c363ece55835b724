using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Bulk;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

/// <summary>antifraud.exchange.v1.BulkOrders: police units send and follow bulk orders; the addressed carrier or bank fetches and
/// answers them item by item.</summary>
internal sealed class BulkOrdersService(BulkUploads uploads, BulkAnswers answers, BulkReads reads) : BulkOrders.BulkOrdersBase
{
    [Authorize(Policy = HubPolicies.Police)]
    public override Task Send(IAsyncStreamReader<BulkUpload> requestStream, IServerStreamWriter<BulkUploadAck> responseStream,
        ServerCallContext context) =>
        uploads.SendAsync(context.Caller(), requestStream, responseStream, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task Fetch(FetchBulkItemsRequest request, IServerStreamWriter<BulkItems> responseStream, ServerCallContext context) =>
        answers.FetchAsync(context.Caller(), request, responseStream, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Responders)]
    public override Task Answer(IAsyncStreamReader<BulkAnswer> requestStream, IServerStreamWriter<BulkAnswerAck> responseStream,
        ServerCallContext context) =>
        answers.AnswerAsync(context.Caller(), requestStream, responseStream, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Recipients)]
    public override Task<BulkOrderView> Get(GetBulkOrderRequest request, ServerCallContext context) =>
        reads.GetAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Police)]
    public override Task ReadResults(ReadBulkResultsRequest request, IServerStreamWriter<BulkResultRows> responseStream,
        ServerCallContext context) =>
        reads.ReadResultsAsync(context.Caller(), request, responseStream, context.CancellationToken);
}
