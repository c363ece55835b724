using Grpc.Core;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>What a Grpc.Net.Client caller sees when the hub refuses its TLS handshake.</summary>
public static class HandshakeRefusal
{
    /// <summary>
    /// True when the call never received an HTTP response: the connection was refused during or right
    /// after the TLS handshake. With TLS 1.2 the client sees the handshake fail (UNAVAILABLE); with TLS 1.3
    /// the server checks the client certificate after the client considers the handshake done, so the
    /// client may instead see the HTTP/2 preface go unanswered, which Grpc.Net.Client reports as INTERNAL.
    /// Either way the detail starts "Error starting gRPC call": no handler, no gRPC status from the hub.
    /// </summary>
    public static bool Is(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Internal
        && e.Status.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal);
}
