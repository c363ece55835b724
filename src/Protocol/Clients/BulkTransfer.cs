using System.Runtime.CompilerServices;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;

namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// Both halves of a bulk order over its streams, a chunk (1,000 items) at a time with a few chunks in flight: the sender's upload,
/// which resumes from what the hub acknowledged, and the recipient's answers, which the hub records once however often they are sent.
/// Neither side holds more than the chunks in flight.
/// </summary>
public static class BulkTransfer
{
    public const int ChunkSize = 1000;

    /// <summary>Chunks sent before their acknowledgement is awaited.</summary>
    public const int Window = 4;

    /// <summary>
    /// Sends the header, then the items after what the hub already holds (<paramref name="itemsAfter"/> gets that count, so a resumed
    /// upload reads its source from there). Reports every acknowledgement; returns the last one (Complete once the order is open).
    /// </summary>
    public static async Task<BulkUploadAck> SendAsync(BulkOrdersClient client, BulkOrderHeader header,
        Func<uint, IAsyncEnumerable<BulkItem>> itemsAfter, IProgress<BulkUploadAck>? progress = null, CallOptions options = default)
    {
        using var call = client.Send(options);
        await WriteAsync(call.RequestStream, call.ResponseStream, new BulkUpload { Header = header }, options.CancellationToken);
        var first = await NextAsync(call.ResponseStream, options.CancellationToken);
        progress?.Report(first);
        if (first.Complete)
        {
            await call.RequestStream.CompleteAsync();
            return first;
        }

        var last = await PipelineAsync(call.RequestStream, call.ResponseStream,
            Chunks(itemsAfter(first.Received), options.CancellationToken).Select(c => { var u = new BulkUpload { Items = new BulkItems() }; u.Items.Items.AddRange(c); return u; }),
            progress, options.CancellationToken);
        return last ?? first;
    }

    /// <summary>Answers an order with results in chunks; returns the last acknowledgement (Complete once every item has a result).</summary>
    public static async Task<BulkAnswerAck?> AnswerAsync(BulkOrdersClient client, string orderId, IAsyncEnumerable<BulkItemResult> results,
        IProgress<BulkAnswerAck>? progress = null, CallOptions options = default)
    {
        using var call = client.Answer(options);
        return await PipelineAsync(call.RequestStream, call.ResponseStream,
            Chunks(results, options.CancellationToken).Select(c => { var a = new BulkAnswer { OrderId = orderId }; a.Results.AddRange(c); return a; }),
            progress, options.CancellationToken);
    }

    /// <summary>Every item of an order, a chunk at a time, from after an item number.</summary>
    public static async IAsyncEnumerable<BulkItem> FetchAsync(BulkOrdersClient client, string orderId, uint afterItem = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = client.Fetch(new FetchBulkItemsRequest { OrderId = orderId, AfterItem = afterItem }, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            foreach (var item in call.ResponseStream.Current.Items)
            {
                yield return item;
            }
        }
    }

    /// <summary>Every item of an order with its result so far (null where none), in item order.</summary>
    public static async IAsyncEnumerable<BulkResultRow> ReadResultsAsync(BulkOrdersClient client, string orderId,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = client.ReadResults(new ReadBulkResultsRequest { OrderId = orderId }, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            foreach (var row in call.ResponseStream.Current.Rows)
            {
                yield return row;
            }
        }
    }

    /// <summary>Writes requests with up to <see cref="Window"/> unacknowledged, reading one acknowledgement per request.</summary>
    private static async Task<TAck?> PipelineAsync<TRequest, TAck>(IClientStreamWriter<TRequest> requests, IAsyncStreamReader<TAck> acks,
        IAsyncEnumerable<TRequest> source, IProgress<TAck>? progress, CancellationToken cancellationToken)
        where TAck : class
    {
        var inFlight = 0;
        TAck? last = null;
        await foreach (var request in source.WithCancellation(cancellationToken))
        {
            if (inFlight == Window)
            {
                last = await NextAsync(acks, cancellationToken);
                progress?.Report(last);
                inFlight--;
            }

            await WriteAsync(requests, acks, request, cancellationToken);
            inFlight++;
        }

        await requests.CompleteAsync();
        for (; inFlight > 0; inFlight--)
        {
            last = await NextAsync(acks, cancellationToken);
            progress?.Report(last);
        }

        return last;
    }

    /// <summary>Writes one message; when the hub has already ended the call (a refusal), the write fails with a local error
    /// (CANCELLED, or "the call is complete"), so the hub's own status is read from the response stream and thrown instead.</summary>
    private static async Task WriteAsync<TRequest, TAck>(IClientStreamWriter<TRequest> requests, IAsyncStreamReader<TAck> acks, TRequest message,
        CancellationToken cancellationToken)
    {
        try
        {
            await requests.WriteAsync(message, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await acks.MoveNext(cancellationToken);
            throw;
        }
    }

    private static async Task<T> NextAsync<T>(IAsyncStreamReader<T> stream, CancellationToken cancellationToken) =>
        await stream.MoveNext(cancellationToken)
            ? stream.Current
            : throw new RpcException(new Status(StatusCode.Unavailable, "the hub ended the bulk stream before acknowledging every chunk"));

    private static async IAsyncEnumerable<List<T>> Chunks<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new List<T>(ChunkSize);
        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            chunk.Add(item);
            if (chunk.Count == ChunkSize)
            {
                yield return chunk;
                chunk = new List<T>(ChunkSize);
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
