using System.Net.Security;
using System.Security.Authentication;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// The hub's TLS: TLS 1.2+, ALPN h2 only, and a client certificate required on every connection. A
/// handshake without one is refused (and audited with the peer address). Which partner a certificate
/// belongs to, and whether it may call at all, is decided per call by the authentication filter, so a
/// refused partner gets UNAUTHENTICATED with a reason instead of a bare handshake failure.
/// </summary>
internal sealed class TlsHandshake(HubTls tls, IAuditSink audit, ILogger<TlsHandshake> logger)
{
    private readonly SslStreamCertificateContext _server = SslStreamCertificateContext.Create(tls.Server, tls.ServerChain, offline: true);

    public TlsHandshakeCallbackOptions Options() => new()
    {
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        OnConnection = context =>
        {
            var remote = context.Connection.RemoteEndPoint?.ToString() ?? "unknown";
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _server,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is not null)
                    {
                        return true;
                    }

                    HubLog.NoClientCertificate(logger, remote);
                    _ = audit.RecordAsync(new AuditEvent(AuditEventKind.Denied, null, $"TLS handshake from {remote} refused: no client certificate"), CancellationToken.None).AsTask();
                    return false;
                },
            });
        },
    };
}
