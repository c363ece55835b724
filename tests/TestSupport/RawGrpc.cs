using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// gRPC requests built by hand over HttpClient and HTTP/2, for what a well-behaved client library
/// never sends: odd headers, half-sent bodies, huge declared lengths. Independent of any gRPC stack.
/// </summary>
public static class RawGrpc
{
    /// <summary>An HTTP/2 client trusting only the dev root, presenting a partner's certificate unless null; one connection unless told.</summary>
    public static HttpMessageInvoker Client(string? partner, bool multipleConnections = false, string? certPath = null, string? keyPath = null)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = multipleConnections,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null
                    && TrustsDevRoot(new X509Certificate2(certificate)),
            },
        };
        certPath ??= partner is null ? null : DevPki.PartnerCertPath(partner);
        keyPath ??= partner is null ? null : DevPki.PartnerKeyPath(partner);
        if (certPath is not null)
        {
            var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // SslStream on Linux needs an exportable key: round-trip through PKCS#12.
            certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            handler.SslOptions.ClientCertificates = [certificate];
        }

        return new HttpMessageInvoker(handler);
    }

    private static bool TrustsDevRoot(X509Certificate2 server)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(DevPki.RootCa());
        chain.ChainPolicy.ExtraStore.Add(DevPki.IssuingCa());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }

    /// <summary>A POST of <paramref name="content"/> to a gRPC path, with the gRPC content type and any extra headers.</summary>
    public static HttpRequestMessage Request(string address, string path, HttpContent content, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, address + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>One length-prefixed, uncompressed message.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Reads the whole response; the gRPC status (from headers or trailers) and its message, or null status when none was sent.</summary>
    public static async Task<(HttpStatusCode Http, int? Status, string Message, byte[] Body)> StatusOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        HttpHeaders? headers = response.Headers.Contains("grpc-status") ? response.Headers
            : response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : null;
        if (headers is null)
        {
            return (response.StatusCode, null, string.Empty, body);
        }

        var status = int.Parse(headers.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var message = headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.Single()) : string.Empty;
        return (response.StatusCode, status, message, body);
    }

    /// <summary>
    /// A request body that sends a 5-byte prefix declaring <paramref name="declared"/> bytes, then
    /// <paramref name="send"/> bytes of it, then stalls until <paramref name="release"/> is cancelled.
    /// <see cref="Sent"/> completes once the bytes are handed to the connection (or the send failed).
    /// </summary>
    public sealed class HalfSentMessage(int declared, int send, CancellationToken release) : HttpContent
    {
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Sent => _sent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                var header = new byte[5];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)declared);
                await stream.WriteAsync(header, release);
                var chunk = new byte[64 * 1024];
                for (var written = 0; written < send; written += chunk.Length)
                {
                    await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, send - written)), release);
                }

                await stream.FlushAsync(release);
            }
            catch (Exception)
            {
                // Refused or reset by the server: that counts as done sending.
                _sent.TrySetResult();
                throw;
            }

            _sent.TrySetResult();
            await Task.Delay(Timeout.Infinite, release).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>Resident memory of a process, from /proc.</summary>
public static class ProcessMemory
{
    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }
}
