using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// How a partner connects to the hub with Grpc.Net.Client: HTTP/2 over a SocketsHttpHandler with
/// several connections and keep-alive pings for long streams, the partner's certificate, trust in the
/// hub's own CA only (never the machine store), messages up to 16 MiB, and (for tools) retries of
/// idempotent calls on UNAVAILABLE.
/// </summary>
public static class PartnerChannel
{
    /// <summary>The largest message a partner receives (the hub sends up to 16 MiB).</summary>
    public const int MaxReceiveMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// Calls that are safe to repeat: a Submit carries its idempotency key, an Ack or an identical
    /// Respond changes nothing the second time, and reads are reads. Streams are not retried here;
    /// their callers reconnect and resume.
    /// </summary>
    private static readonly string[] Idempotent =
    [
        "antifraud.exchange.v1.Exchange/Submit", "antifraud.exchange.v1.Exchange/Get", "antifraud.exchange.v1.Exchange/GetCase",
        "antifraud.exchange.v1.Exchange/Cancel", "antifraud.exchange.v1.Inbox/Ack", "antifraud.exchange.v1.Inbox/Respond", "antifraud.exchange.v1.Inbox/Peek",
        "antifraud.exchange.v1.Audit/GetCheckpoint", "antifraud.exchange.v1.Audit/GetInclusionProof",
        "antifraud.exchange.v1.Audit/GetConsistencyProof", "antifraud.exchange.v1.Audit/Query",
        "antifraud.exchange.v1.Operations/GetCompliance", "antifraud.exchange.v1.Operations/ListPartners",
        "grpc.health.v1.Health/Check",
    ];

    /// <summary>Channel options for a partner tool; with <paramref name="retries"/>, idempotent calls are retried on UNAVAILABLE (4
    /// attempts in all).</summary>
    public static GrpcChannelOptions Options(bool retries = true)
    {
        var options = new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(),
            MaxReceiveMessageSize = MaxReceiveMessageSize,
            DisposeHttpClient = true,
        };
        if (retries)
        {
            var policy = new MethodConfig
            {
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = 4,
                    InitialBackoff = TimeSpan.FromMilliseconds(200),
                    MaxBackoff = TimeSpan.FromSeconds(2),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            };
            foreach (var method in Idempotent)
            {
                var slash = method.IndexOf('/', StringComparison.Ordinal);
                policy.Names.Add(new MethodName { Service = method[..slash], Method = method[(slash + 1)..] });
            }

            options.ServiceConfig = new ServiceConfig { MethodConfigs = { policy } };
        }

        return options;
    }

    /// <summary>Trusts only the CA certificate(s) in this PEM file for the hub's certificate.</summary>
    public static GrpcChannelOptions TrustOnly(this GrpcChannelOptions options, string caPath)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(caPath);
        Handler(options).SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => PinnedTrust(certificate,
            chain, errors, cas);
        return options;
    }

    /// <summary>
    /// Presents a partner credential: a PEM file holding the certificate (first) and its intermediates,
    /// and the PEM private key.
    /// </summary>
    public static GrpcChannelOptions UsePartnerCertificate(this GrpcChannelOptions options, string certificatePath, string keyPath)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        Handler(options).SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, [.. all.Skip(1)],
            offline: true);
        return options;
    }

    /// <summary>A deadline <paramref name="timeout"/> from now (gRPC deadlines are wall-clock UTC).</summary>
    public static CallOptions WithTimeout(this CallOptions options, TimeSpan timeout) => options.WithTimeout(timeout, TimeProvider.System);

    /// <summary>A deadline <paramref name="timeout"/> from now on <paramref name="time"/>.</summary>
    public static CallOptions WithTimeout(this CallOptions options, TimeSpan timeout, TimeProvider time) =>
        options.WithDeadline(time.GetUtcNow().UtcDateTime + timeout);

    /// <summary>The handler partner channels use: HTTP/2 with several connections, keep-alive pings, no proxy, no cookies.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(20),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseCookies = false,
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions { ApplicationProtocols = [SslApplicationProtocol.Http2] },
    };

    private static SocketsHttpHandler Handler(GrpcChannelOptions options)
    {
        if (options.HttpHandler is null)
        {
            options.HttpHandler = CreateHandler();
            options.DisposeHttpClient = true;
            options.MaxReceiveMessageSize ??= MaxReceiveMessageSize;
        }

        return options.HttpHandler as SocketsHttpHandler
            ?? throw new InvalidOperationException("Partner channel settings need a SocketsHttpHandler (PartnerChannel.CreateHandler).");
    }

    /// <summary>The hub's certificate must chain to one of the pinned CAs, and name the host dialled.</summary>
    private static bool PinnedTrust(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors,
        X509Certificate2Collection trusted)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(trusted);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
