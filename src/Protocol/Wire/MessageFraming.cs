using System.Buffers;
using System.IO.Compression;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Wire;

/// <summary>
/// The length-prefixed message framing both sides share: 1 flag byte, 4-byte big-endian length, payload.
/// Frames and HTTP/2 DATA frames need not line up; parsing works on whatever the pipe has buffered.
/// </summary>
internal static class MessageFraming
{
    /// <summary>Serializes a message with its prefix straight into the writer's memory.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int maxSize)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size: {size} > {maxSize} bytes.");
        }

        var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
        GrpcProtocol.WriteHeader(span, compressed: false, size);
        message.WriteTo(span.Slice(GrpcProtocol.HeaderSize, size));
        writer.Advance(GrpcProtocol.HeaderSize + size);
    }

    /// <summary>A framed copy of a message, for senders that write to a Stream.</summary>
    public static byte[] ToFramedArray(IMessage message, int maxSize)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size: {size} > {maxSize} bytes.");
        }

        var bytes = new byte[GrpcProtocol.HeaderSize + size];
        GrpcProtocol.WriteHeader(bytes, compressed: false, size);
        message.WriteTo(bytes.AsSpan(GrpcProtocol.HeaderSize));
        return bytes;
    }

    /// <summary>
    /// Tries to take one whole message from the front of <paramref name="buffer"/>. The size limit is
    /// enforced from the 4-byte length, before the payload is buffered.
    /// </summary>
    public static bool TryRead(
        ref ReadOnlySequence<byte> buffer,
        int maxSize,
        out ReadOnlySequence<byte> payload,
        out bool compressed)
    {
        payload = default;
        compressed = false;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        GrpcProtocol.ReadHeader(buffer, out var flag, out var length);
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal,
                $"Malformed message frame: compressed-flag byte is {flag}, expected 0 or 1.");
        }

        if (length > (uint)maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size: {length} > {maxSize} bytes.");
        }

        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }

        compressed = flag == 1;
        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Parses a payload, decompressing it first when its flag says so.</summary>
    public static T Parse<T>(MessageParser<T> parser, in ReadOnlySequence<byte> payload, bool compressed, string? encoding, int maxSize)
        where T : IMessage<T>
    {
        try
        {
            if (!compressed)
            {
                return parser.ParseFrom(payload);
            }

            var plain = Decompress(payload, encoding, maxSize);
            return parser.ParseFrom(plain);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal,
                $"Failed to deserialize {typeof(T).Name}: {ex.Message}"), inner: ex);
        }
    }

    private static byte[] Decompress(in ReadOnlySequence<byte> payload, string? encoding, int maxSize)
    {
        if (string.IsNullOrEmpty(encoding) || encoding == "identity")
        {
            throw new RpcException(StatusCode.Internal,
                "Message is flagged compressed, but no grpc-encoding names the compression.");
        }

        using var input = new MemoryStream(payload.ToArray(), writable: false);
        using Stream decompressor = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => throw new RpcException(StatusCode.Unimplemented,
                $"Unsupported grpc-encoding '{encoding}'. Supported: {GrpcProtocol.SupportedEncodings}."),
        };

        using var output = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = decompressor.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > maxSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Decompressed message exceeds the maximum configured message size of {maxSize} bytes.");
                }

                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Message could not be decompressed with {encoding}: {ex.Message}"), inner: ex);
        }

        return output.ToArray();
    }
}
