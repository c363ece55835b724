using System.Net.Security;
using System.Security.Authentication;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// The hub's TLS: TLS 1.2+, ALPN h2 only, and a client certificate required on every connection. A
/// handshake without one, or with one that does not chain to the hub's own root, is refused there
/// (outsiders never reach a handler; refusals are audited, aggregated per peer address). Whether a
/// certificate of the hub's CA belongs to an enabled partner, and what it may call, is decided per
/// call by the authentication filter, so a revoked or disabled partner gets UNAUTHENTICATED with a
/// reason instead of a bare handshake failure. The server certificate is the one in force at the handshake (ServerCertificate
/// re-reads it when the files change).
/// </summary>
internal sealed class TlsHandshake(ServerCertificate server, PartnerAuthenticator authenticator, RefusalAudit refusals, ILogger<TlsHandshake> logger)
{
    public TlsHandshakeCallbackOptions Options() => new()
    {
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        OnConnection = context =>
        {
            var remote = context.Connection.RemoteEndPoint?.ToString() ?? "unknown";
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = server.Current.Context,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var refusal = certificate is null
                        ? "no client certificate"
                        : authenticator.ChainRefusal(certificate as X509Certificate2
                            ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                    if (refusal is null)
                    {
                        return true;
                    }

                    HubLog.HandshakeRefused(logger, remote, refusal);
                    var address = context.Connection.RemoteEndPoint is System.Net.IPEndPoint ip ? ip.Address.ToString() : remote;
                    // The refusal texts are a small fixed set: aggregate by peer address and reason.
                    _ = refusals.RecordAsync($"{address} handshake ({refusal})",
                        new AuditEvent(AuditEventKind.Denied, null,
                            $"TLS handshake from {remote} refused: {refusal}"), CancellationToken.None).AsTask();
                    return false;
                },
            });
        },
    };
}
