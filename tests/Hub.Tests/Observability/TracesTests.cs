using System.Collections.Concurrent;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Observability;

/// <summary>Traces reach the OTLP collector an operator configures (here a plain HTTP receiver standing in for one).</summary>
public sealed class TracesTests
{
    [Fact]
    public async Task Traces_GoToTheConfiguredCollector_WithTheCallAndItsExchangeId()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value ?? string.Empty, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        var address = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var hub = await HubProcess.StartAsync(
            [$"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-otlp-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}",
                $"--Hub:Ops:OtlpEndpoint={address}", "--Hub:Ops:OtlpProtocol=http/protobuf"],
            null, new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });
        using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
        using var bank = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("bank-alpha"));
        var submitted = await new ExchangeClient(police).SubmitAsync(Requests.Freeze("bank-alpha", "6222029988776611", 100_00));
        await new InboxClient(bank).AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });

        for (var look = 0; look < 150 && !Seen(received, submitted.ExchangeId); look++)
        {
            await Task.Delay(100);
        }

        Assert.True(Seen(received, submitted.ExchangeId),
            $"no span of Inbox/Ack tagged with {submitted.ExchangeId} reached the collector; paths seen: "
            + string.Join(", ", received.Select(r => r.Path).Distinct()));
    }

    /// <summary>An OTLP trace export (protobuf: strings appear as they are) holding the Ack call tagged with the exchange id.</summary>
    private static bool Seen(IEnumerable<(string Path, byte[] Body)> received, string exchangeId) => received.Any(r =>
        r.Path == "/v1/traces"
        && Encoding.UTF8.GetString(r.Body) is var text
        && text.Contains("afx.exchange_id", StringComparison.Ordinal)
        && text.Contains(exchangeId, StringComparison.Ordinal)
        && text.Contains("Inbox/Ack", StringComparison.Ordinal));
}
