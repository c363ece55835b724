namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>TLS is not optional: the hub refuses to start without a server certificate and a client CA.</summary>
public sealed class HubTlsOptions
{
    /// <summary>PEM server certificate, optionally followed by its intermediates.</summary>
    public string CertificatePath { get; set; } = "certs-dev/hub/hub-chain.crt";

    public string KeyPath { get; set; } = "certs-dev/hub/hub.key";

    /// <summary>The root CA partner certificates must chain to. Only this root is trusted, never the machine store.</summary>
    public string ClientCaPath { get; set; } = "certs-dev/ca/root.crt";

    /// <summary>Intermediate CAs that may sit between a partner certificate and the root.</summary>
    public string? IntermediatesPath { get; set; } = "certs-dev/ca/issuing.crt";

    /// <summary>PEM or DER certificate revocation list of the issuing CA; re-read when the file changes.</summary>
    public string? CrlPath { get; set; } = "certs-dev/ca/crl.pem";

    /// <summary>
    /// A revocation list past its nextUpdate: "refuse" (the default: every partner is refused until a
    /// current list is published) or "warn" (keep enforcing it, log an error).
    /// </summary>
    public string StaleCrl { get; set; } = "refuse";

    internal StaleCrlMode StaleCrlMode => StaleCrl == "warn" ? StaleCrlMode.Warn : StaleCrlMode.Refuse;
}
