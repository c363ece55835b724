// bench/WireBench: `grpc` serves InteropTest/Echo on grpc-dotnet (Grpc.AspNetCore, the hub's stack);
// `bare` answers every POST with the bytes the echo would send, straight from Kestrel (no framing
// parse, no protobuf): the ceiling. `body FILE` writes the framed request h2load sends. Both servers
// use TLS with the dev server certificate and no client certificate (h2load cannot present one).
using System.Net;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var mode = args.FirstOrDefault() ?? "";
var request = new EchoRequest { Text = "freeze 6222020200001234567 CNY 35000000" };
var framedRequest = Frame(request);
var framedResponse = Frame(new EchoResponse { Text = request.Text, DeadlineRemainingMs = -1 });

if (mode == "body")
{
    File.WriteAllBytes(args[1], framedRequest);
    return 0;
}

if (mode is not ("grpc" or "bare"))
{
    Console.Error.WriteLine("usage: WireBench grpc|bare PORT | WireBench body FILE");
    return 2;
}

var port = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Limits.Http2.MaxStreamsPerConnection = 256;
    k.Listen(IPAddress.Loopback, port, l =>
    {
        l.Protocols = HttpProtocols.Http2;
        l.UseHttps(h =>
        {
            h.ServerCertificate = DevPki.ServerCertificate();
            h.ServerCertificateChain = DevPki.ServerChain();
        });
    });
});

if (mode == "grpc")
{
    builder.Services.AddGrpc();
}

var app = builder.Build();
if (mode == "grpc")
{
    app.MapGrpcService<BenchEchoService>();
}
else
{
    app.Run(async context =>
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-accept-encoding"] = "identity,gzip,deflate";
        await context.Response.BodyWriter.WriteAsync(framedResponse, context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
    });
}

Console.WriteLine($"{mode} listening on {port}");
await app.RunAsync();
return 0;

static byte[] Frame(IMessage message)
{
    var payload = message.ToByteArray();
    var framed = new byte[5 + payload.Length];
    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
    payload.CopyTo(framed, 5);
    return framed;
}

/// <summary>The echo the benchmark measures: answers the bytes the bare endpoint sends, nothing more.</summary>
internal sealed class BenchEchoService : InteropTest.InteropTestBase
{
    public override Task<EchoResponse> Echo(EchoRequest request, Grpc.Core.ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Text = request.Text, DeadlineRemainingMs = -1 });
}
