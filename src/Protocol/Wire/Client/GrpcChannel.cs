using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Protocol.Wire.Client;

/// <summary>Settings of a client channel.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>A handler to send through; when null the channel builds a SocketsHttpHandler from the TLS settings below.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>The client certificate (with private key) presented to the server.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Intermediate CAs sent with the client certificate, so servers that trust only the root can build the chain.</summary>
    public X509Certificate2Collection? ClientCertificateChain { get; set; }

    /// <summary>
    /// Loads a partner credential: a PEM file holding the certificate (first) and its intermediates,
    /// and the PEM private key.
    /// </summary>
    public GrpcChannelOptions UsePartnerCertificate(string certificatePath, string keyPath)
    {
        ClientCertificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        ClientCertificateChain = [.. all.Skip(1)];
        return this;
    }

    /// <summary>Trusts only the CA certificate(s) in this PEM file for the server's certificate.</summary>
    public GrpcChannelOptions TrustOnly(string caPath)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(caPath);
        TrustedCertificateAuthorities = cas;
        return this;
    }

    /// <summary>
    /// The CA the server certificate must chain to. When set, only this CA is trusted (not the machine
    /// store); when null, the machine store decides.
    /// </summary>
    public X509Certificate2Collection? TrustedCertificateAuthorities { get; set; }

    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>HTTP/2 keep-alive ping interval for long-lived streams.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(20);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Sent as user-agent.</summary>
    public string UserAgent { get; set; } = "antifraud-exchange-dotnet/1.0";
}

/// <summary>
/// A connection pool to one gRPC server over HTTP/2 (SocketsHttpHandler). Thread-safe; create one per
/// server and share it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly bool _disposeHandler;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        var handler = options.HttpHandler;
        if (handler is null)
        {
            handler = CreateHandler(options);
            _disposeHandler = true;
        }

        Invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        Handler = handler;
    }

    public Uri Address { get; }

    public GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    private HttpMessageHandler Handler { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
        => ForAddress(new Uri(address), options);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"Address '{address}' must be https:// (or http:// for a plaintext test server).", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>The handler the channel uses by default: HTTP/2 with several connections, pinned trust, keep-alive pings.</summary>
    public static SocketsHttpHandler CreateHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };

        var ssl = handler.SslOptions;
        ssl.ApplicationProtocols = [SslApplicationProtocol.Http2];
        if (options.ClientCertificate is { } clientCertificate)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(
                clientCertificate, options.ClientCertificateChain, offline: true);
        }

        if (options.TrustedCertificateAuthorities is { Count: > 0 } trusted)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                PinnedTrust.Validate(certificate, chain, errors, trusted);
        }

        return handler;
    }

    public void Dispose()
    {
        Invoker.Dispose();
        if (_disposeHandler)
        {
            Handler.Dispose();
        }
    }
}

/// <summary>Server certificate validation against a pinned set of CAs only.</summary>
internal static class PinnedTrust
{
    public static bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection trusted)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(trusted);
        if (presented is not null)
        {
            // The intermediates the server sent in its handshake.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
