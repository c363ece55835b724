using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using AntiFraud.Exchange.Testing.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.TestSupport;

public static class InteropMethods
{
    public const string ServiceName = "antifraud.testing.v1.InteropTest";

    public static readonly Method<EchoRequest, EchoResponse> Echo = new(MethodType.Unary, ServiceName, "Echo");
    public static readonly Method<EchoRequest, EchoResponse> ServerStream = new(MethodType.ServerStreaming, ServiceName, "ServerStream");
    public static readonly Method<EchoRequest, EchoResponse> ClientStream = new(MethodType.ClientStreaming, ServiceName, "ClientStream");
    public static readonly Method<EchoRequest, EchoResponse> Duplex = new(MethodType.DuplexStreaming, ServiceName, "Duplex");
}

/// <summary>
/// Exercises every call kind. Behaviour is steered by the request: fail with a status, wait, stream N
/// responses, answer with a payload of a given size. It echoes the metadata it saw, sends an initial
/// header "x-echo-initial" and trailers "x-echo-trailing" and "x-echo-trailing-bin".
/// </summary>
public sealed class InteropTestService(TimeProvider timeProvider) : IGrpcService
{
    public ServiceDescriptor Descriptor => InteropReflection.Descriptor.FindTypeByName<ServiceDescriptor>("InteropTest");

    public void Bind(ServiceBinder binder) => binder
        .Unary(InteropMethods.Echo, EchoAsync)
        .ServerStreaming(InteropMethods.ServerStream, ServerStreamAsync)
        .ClientStreaming(InteropMethods.ClientStream, ClientStreamAsync)
        .DuplexStreaming(InteropMethods.Duplex, DuplexAsync);

    private async Task<EchoResponse> EchoAsync(EchoRequest request, ServerCallContext context)
    {
        await Steer(request, context);
        if (context.RequestHeaders.GetValue("x-send-initial") is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata().Add("x-echo-initial", "hello"));
        }

        context.ResponseTrailers.Add("x-echo-trailing", "bye").Add("x-echo-trailing-bin", new byte[] { 0, 1, 2, 250 });
        return Reply(request, context, 0);
    }

    private async Task ServerStreamAsync(EchoRequest request, IAsyncStreamWriter<EchoResponse> stream, ServerCallContext context)
    {
        await Steer(request, context);
        for (var i = 0; i < request.ResponseCount; i++)
        {
            await stream.WriteAsync(Reply(request, context, i), context.CancellationToken);
        }

        context.ResponseTrailers.Add("x-echo-trailing", "bye");
    }

    private async Task<EchoResponse> ClientStreamAsync(IAsyncStreamReader<EchoRequest> requests, ServerCallContext context)
    {
        var texts = new List<string>();
        long bytes = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            await Steer(requests.Current, context);
            texts.Add(requests.Current.Text);
            bytes += requests.Current.Payload.Length;
        }

        return new EchoResponse { Text = string.Join(",", texts), Index = texts.Count, Payload = ByteString.CopyFromUtf8(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
    }

    private async Task DuplexAsync(IAsyncStreamReader<EchoRequest> requests, IAsyncStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        var i = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            await Steer(requests.Current, context);
            await responses.WriteAsync(Reply(requests.Current, context, i++), context.CancellationToken);
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
            throw new RpcException(new Status((StatusCode)request.FailWithCode, request.FailWithMessage),
                new Metadata().Add("x-failure-detail", "requested"));
        }
    }

    private EchoResponse Reply(EchoRequest request, ServerCallContext context, int index)
    {
        var response = new EchoResponse
        {
            Text = request.Text,
            Index = index,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            DeadlineRemainingMs = context.Deadline is { } d ? (long)(d - timeProvider.GetUtcNow()).TotalMilliseconds : -1,
        };
        response.SeenMetadata.AddRange(context.RequestHeaders
            .Where(e => e.Key.StartsWith("x-", StringComparison.Ordinal))
            .Select(e => e.ToString())
            .Order(StringComparer.Ordinal));
        return response;
    }
}
