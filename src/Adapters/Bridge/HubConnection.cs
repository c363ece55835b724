using System.Security.Authentication;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>The bridge's one channel to the hub, presenting the partner's certificate.</summary>
internal sealed class HubConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public HubConnection(BridgeOptions options)
    {
        // Retries of idempotent calls (Ack, Respond) on UNAVAILABLE and keep-alive pings come from the partner channel settings.
        _channel = GrpcChannel.ForAddress(options.Hub, PartnerChannel.Options()
            .TrustOnly(options.Ca)
            .UsePartnerCertificate(options.ResolvedCertificate, options.ResolvedKey));
        Inbox = new InboxClient(_channel);
        Exchange = new ExchangeClient(_channel);
        Alerts = new AlertsClient(_channel);
        Bulk = new BulkOrdersClient(_channel);
    }

    /// <summary>For a bank's or carrier's bridge: the items of bulk orders, and their results.</summary>
    public BulkOrdersClient Bulk { get; }

    /// <summary>For a bank's or carrier's bridge: early-warning alerts.</summary>
    public AlertsClient Alerts { get; }

    public InboxClient Inbox { get; }

    /// <summary>For a police unit's bridge: submissions.</summary>
    public ExchangeClient Exchange { get; }

    /// <summary>Failures worth waiting out: the hub is down, restarting, overloaded or unreachable.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted
            or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled,
        HttpRequestException or IOException or AuthenticationException or TimeoutException => true,
        _ => false,
    };

    public void Dispose() => _channel.Dispose();
}
