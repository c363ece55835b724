using AntiFraud.Exchange.Testing.V1;
using Google.Protobuf;
using Grpc.Core;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// Exercises every call kind. Behaviour is steered by the request: fail with a status, wait, stream N
/// responses, answer with a payload of a given size. It echoes the metadata it saw, sends an initial
/// header "x-echo-initial" and trailers "x-echo-trailing" and "x-echo-trailing-bin".
/// </summary>
public sealed class InteropTestService(TimeProvider timeProvider) : InteropTest.InteropTestBase
{
    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        await Steer(request, context);
        if (context.RequestHeaders.GetValue("x-send-initial") is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-echo-initial", "hello" } });
        }

        context.ResponseTrailers.Add("x-echo-trailing", "bye");
        context.ResponseTrailers.Add("x-echo-trailing-bin", [0, 1, 2, 250]);
        return Reply(request, context, 0);
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        await Steer(request, context);
        for (var i = 0; i < request.ResponseCount; i++)
        {
            await responseStream.WriteAsync(Reply(request, context, i));
        }

        context.ResponseTrailers.Add("x-echo-trailing", "bye");
    }

    public override async Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var texts = new List<string>();
        long bytes = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await Steer(requestStream.Current, context);
            texts.Add(requestStream.Current.Text);
            bytes += requestStream.Current.Payload.Length;
        }

        return new EchoResponse { Text = string.Join(",", texts), Index = texts.Count, Payload = ByteString.CopyFromUtf8(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var i = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await Steer(requestStream.Current, context);
            await responseStream.WriteAsync(Reply(requestStream.Current, context, i++));
        }
    }

    private async Task Steer(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(request.DelayMs), timeProvider, context.CancellationToken);
        }

        if (request.FailWithCode != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailWithCode, request.FailWithMessage), new Metadata { { "x-failure-detail", "requested" } });
        }
    }

    private EchoResponse Reply(EchoRequest request, ServerCallContext context, int index)
    {
        var response = new EchoResponse
        {
            Text = request.Text,
            Index = index,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            DeadlineRemainingMs = context.Deadline == DateTime.MaxValue ? -1 : (long)(context.Deadline - timeProvider.GetUtcNow().UtcDateTime).TotalMilliseconds,
        };
        response.SeenMetadata.AddRange(context.RequestHeaders
            .Where(e => e.Key.StartsWith("x-", StringComparison.Ordinal))
            .Select(e => e.IsBinary ? $"{e.Key}={Convert.ToBase64String(e.ValueBytes)}" : $"{e.Key}={e.Value}")
            .Order(StringComparer.Ordinal));
        return response;
    }
}
