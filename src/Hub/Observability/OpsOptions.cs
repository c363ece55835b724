using System.Net;

namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>The operations port and telemetry: section "Hub:Ops".</summary>
public sealed class HubOpsOptions
{
    /// <summary>
    /// Where the operations port listens: plain HTTP with <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> and nothing else (no
    /// partner call, no personal data). Default: loopback, on the partner port + 1000 (7443 → 8443; port 0 when the partner port is
    /// 0). "none" turns it off. An address other than loopback is allowed but logged as a warning at start: put it behind the
    /// network's own controls.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>An OTLP collector to send traces (and metrics) to, e.g. http://127.0.0.1:4317; none when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" (default, port 4317) or "http/protobuf" (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The endpoint the operations port binds, or null when turned off; <paramref name="partnerPort"/> gives the default.</summary>
    internal IPEndPoint? EndPoint(IPEndPoint partnerPort) => Listen switch
    {
        null or "" => new IPEndPoint(IPAddress.Loopback, partnerPort.Port == 0 ? 0 : partnerPort.Port + 1000),
        "none" => null,
        var text => IPEndPoint.Parse(text),
    };
}
