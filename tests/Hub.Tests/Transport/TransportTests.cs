using System.IO.Compression;
using System.Net;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;

namespace AntiFraud.Exchange.Hub.Tests.Transport;

/// <summary>
/// What a partner's gRPC stack relies on from the hub, whatever implements it: trailers-only errors,
/// size limits, deadlines, compression, unknown methods, malformed requests, and the standard health
/// and reflection services. Raw HTTP/2 requests are built by hand where a client library would not
/// send them.
/// </summary>
public sealed class TransportTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    private const string GetCase = "/antifraud.exchange.v1.Exchange/GetCase";

    private static byte[] Frame(IMessage message) => RawGrpc.Frame(message.ToByteArray());

    private async Task<(HttpStatusCode Http, int? Status, string Message, HttpResponseMessage Response)> RawAsync(
        byte[] body, string path = GetCase, string contentType = "application/grpc", params (string, string)[] headers)
    {
        using var http = RawGrpc.Client("police-shenzhen");
        var content = new ByteArrayContent(body);
        using var request = RawGrpc.Request(f.Hub.Address, path, content, headers);
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        var response = await http.SendAsync(request, CancellationToken.None);
        var (httpStatus, status, message, _) = await RawGrpc.StatusOf(response);
        return (httpStatus, status, message, response);
    }

    [Fact]
    public async Task WrongContentType_Gets415()
    {
        var (http, _, _, _) = await RawAsync(Frame(new GetCaseRequest { CaseNumber = "x" }), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, http);
    }

    [Fact]
    public async Task ErrorBeforeAnyMessage_IsTrailersOnly_WithTheFieldNamed()
    {
        var (_, status, message, response) = await RawAsync(Frame(new GetCaseRequest()));
        Assert.Equal((int)StatusCode.InvalidArgument, status);
        Assert.Equal("case_number: is required.", message);
        Assert.True(response.Headers.Contains("grpc-status"), "the status must come in the headers of a trailers-only response");
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RefusedByPolicy_IsTrailersOnlyPermissionDenied_WithTheReason()
    {
        using var http = RawGrpc.Client("bank-alpha");
        using var request = RawGrpc.Request(f.Hub.Address, GetCase, new ByteArrayContent(Frame(new GetCaseRequest { CaseNumber = "x" })));
        using var response = await http.SendAsync(request, CancellationToken.None);
        var (_, status, message, _) = await RawGrpc.StatusOf(response);
        Assert.Equal((int)StatusCode.PermissionDenied, status);
        Assert.Equal("GetCase is open to police partners; 'bank-alpha' is a bank.", message);
        Assert.True(response.Headers.Contains("grpc-status"));
    }

    [Fact]
    public async Task GarbageProtobuf_IsInvalidArgumentNamingTheMessage_AndTheConnectionStillServes()
    {
        var (_, status, message, _) = await RawAsync(RawGrpc.Frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        Assert.Equal((int)StatusCode.InvalidArgument, status);
        Assert.StartsWith("request: not a valid GetCaseRequest message", message, StringComparison.Ordinal);
        var health = await new HealthClient(f.Police.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task TruncatedFrame_IsInternal()
    {
        var frame = Frame(new GetCaseRequest { CaseNumber = "SZ-1" });
        var (_, status, _, _) = await RawAsync(frame[..^2]);
        Assert.Equal((int)StatusCode.Internal, status);
    }

    [Fact]
    public async Task DeclaredLengthOverTheLimit_IsResourceExhausted_FromThePrefixAlone()
    {
        // Only the 5-byte prefix, claiming 100 MB: the hub answers without waiting for a body.
        var header = new byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 100_000_000);
        var (_, status, _, _) = await RawAsync(header);
        Assert.Equal((int)StatusCode.ResourceExhausted, status);
    }

    [Fact]
    public async Task MessageOverTheHubsLimit_IsResourceExhausted()
    {
        var huge = Requests.Freeze("bank-alpha", "6222000000030001", 100_00);
        huge.Request.Freeze.Reason = new string('x', 5 * 1024 * 1024);
        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(huge).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task CompressedWithAnUnsupportedEncoding_IsUnimplemented_AndListsWhatIsSupported()
    {
        var frame = Frame(new GetCaseRequest { CaseNumber = "SZ-1" });
        frame[0] = 1;
        var (_, status, message, response) = await RawAsync(frame, headers: ("grpc-encoding", "snappy"));
        Assert.Equal((int)StatusCode.Unimplemented, status);
        Assert.Contains("snappy", message, StringComparison.Ordinal);
        var accepted = string.Join(",", response.Headers.GetValues("grpc-accept-encoding"));
        Assert.Contains("gzip", accepted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GzipCompressedRequest_IsServed()
    {
        var plain = new GetCaseRequest { CaseNumber = "SZ-NOT-MINE" }.ToByteArray();
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        var frame = RawGrpc.Frame(packed.ToArray());
        frame[0] = 1;
        var (_, status, message, _) = await RawAsync(frame, headers: ("grpc-encoding", "gzip"));
        // Decompressed and understood: the hub looked the case up and found it is not this centre's.
        Assert.Equal((int)StatusCode.PermissionDenied, status);
        Assert.Contains("SZ-NOT-MINE", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownMethodAndService_AreUnimplemented()
    {
        var (_, method, _, _) = await RawAsync(Frame(new GetCaseRequest()), path: "/antifraud.exchange.v1.Exchange/NoSuchMethod");
        var (_, service, _, _) = await RawAsync(Frame(new GetCaseRequest()), path: "/no.such.Service/Method");
        Assert.Equal((int)StatusCode.Unimplemented, method);
        Assert.Equal((int)StatusCode.Unimplemented, service);
    }

    [Fact]
    public async Task DeadlineOnAStream_EndsDeadlineExceeded()
    {
        using var inbox = f.Carrier.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(500)));
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await inbox.ResponseStream.MoveNext())
            {
            }
        });
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task MetadataAndBinaryMetadata_FromAPartner_AreAccepted()
    {
        var headers = new Metadata { { "x-request-id", "r-42" }, { "x-trace-bin", new byte[] { 0, 255, 7 } } };
        var reply = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000030002", 100_00), new CallOptions(headers));
        Assert.False(reply.Duplicate);
    }

    [Fact]
    public async Task Health_TheWholeHubAndEachService_AreServing_AndAnUnknownServiceIsNotFound()
    {
        var health = new HealthClient(f.BankAlpha.Channel);
        foreach (var service in new[] { "", "antifraud.exchange.v1.Exchange", "antifraud.exchange.v1.Inbox", "antifraud.exchange.v1.Audit", "antifraud.exchange.v1.Operations" })
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = service })).Status);
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.Such" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Reflection_ListsEveryService_AndServesFileDescriptors_InV1AndV1Alpha()
    {
        using var v1 = new ServerReflection.ServerReflectionClient(f.Police.Channel).ServerReflectionInfo();
        await v1.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "*" });
        await v1.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "antifraud.exchange.v1.Exchange.Submit" });
        await v1.RequestStream.CompleteAsync();
        var answers = new List<ServerReflectionResponse>();
        await foreach (var answer in v1.ResponseStream.ReadAllAsync())
        {
            answers.Add(answer);
        }

        var services = answers[0].ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Equal(
            ["antifraud.exchange.v1.Alerts", "antifraud.exchange.v1.Audit", "antifraud.exchange.v1.BulkOrders", "antifraud.exchange.v1.Exchange", "antifraud.exchange.v1.Inbox",
             "antifraud.exchange.v1.Operations", "antifraud.exchange.v1.RiskLists",
             "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            services.Order(StringComparer.Ordinal));
        var files = answers[1].FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToList();
        Assert.Contains("antifraud/exchange/v1/exchange.proto", files);

        using var v1alpha = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(f.Police.Channel).ServerReflectionInfo();
        await v1alpha.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "*" });
        await v1alpha.RequestStream.CompleteAsync();
        Assert.True(await v1alpha.ResponseStream.MoveNext());
        Assert.Equal(services.Count, v1alpha.ResponseStream.Current.ListServicesResponse.Service.Count);
    }
}
