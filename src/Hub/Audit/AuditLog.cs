using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Threading.Channels;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// The tamper-evident audit log: an append-only file of length-prefixed entries whose leaf hashes form
/// an RFC 6962 Merkle tree. Appends are group-committed (one fsync per batch) before their receipts are
/// returned. On open, a torn final write is truncated, the tree is rebuilt, and its root must match the
/// last signed checkpoint, or the hub refuses to start. Entries hold no clear personal data: the body
/// is only a salted SHA-256 commitment.
/// </summary>
internal sealed class AuditLog : IAuditSink, IAsyncDisposable
{
    private const int MaxBatch = 1024;

    private readonly string _path;
    private readonly string _checkpointPath;
    private readonly FileStream _file;
    private readonly MerkleTree _tree = new();
    private readonly List<long> _offsets = [];
    private readonly Lock _gate = new();
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000) { SingleReader = true });
    private readonly Task _loop;
    private readonly TimeProvider _time;
    private readonly ECDsa _signingKey;
    private readonly byte[] _commitmentKey;
    private readonly ILogger _logger;

    public AuditLog(string directory, string origin, ECDsa signingKey, byte[] commitmentKey, TimeProvider time, ILogger<AuditLog> logger)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "audit.log");
        _checkpointPath = Path.Combine(directory, "audit.checkpoint");
        Origin = origin;
        _signingKey = signingKey;
        _commitmentKey = commitmentKey;
        _time = time;
        _logger = logger;
        _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        Recover();
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>The log's name in its checkpoints, and the key name of its signature.</summary>
    public string Origin { get; }

    /// <summary>The key checkpoints verify with (publish its SPKI PEM for offline verifiers).</summary>
    public ECDsa PublicKey => _signingKey;

    public long Size
    {
        get
        {
            lock (_gate)
            {
                return _tree.Size;
            }
        }
    }

    public async ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var pending = new Pending(auditEvent, _time.GetUtcNow());
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Signs a checkpoint of the current tree and keeps it as the one the log must match on reopen.</summary>
    public string SignCheckpoint()
    {
        CheckpointBody body;
        lock (_gate)
        {
            body = new CheckpointBody(Origin, _tree.Size, _tree.Root(_tree.Size), _time.GetUtcNow());
        }

        var note = SignedCheckpoint.Sign(body, Origin, _signingKey);
        var temp = _checkpointPath + ".tmp";
        File.WriteAllText(temp, note);
        File.Move(temp, _checkpointPath, overwrite: true);
        return note;
    }

    public string? LatestCheckpoint() => File.Exists(_checkpointPath) ? File.ReadAllText(_checkpointPath) : null;

    public (List<byte[]> Proof, byte[] LeafHash) InclusionProof(long index, long size)
    {
        lock (_gate)
        {
            return (_tree.InclusionProof(index, size), _tree.LeafHash(index));
        }
    }

    public List<byte[]> ConsistencyProof(long first, long second)
    {
        lock (_gate)
        {
            return _tree.ConsistencyProof(first, second);
        }
    }

    /// <summary>Reads committed entries [start, end) from the file, in index order.</summary>
    public IEnumerable<AuditEntry> Read(long start, long end)
    {
        long[] offsets;
        lock (_gate)
        {
            end = Math.Min(end, _tree.Size);
            if (start >= end)
            {
                yield break;
            }

            offsets = [.. _offsets.Skip((int)start).Take((int)(end - start))];
        }

        using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var header = new byte[4];
        for (var i = 0; i < offsets.Length; i++)
        {
            reader.Position = offsets[i];
            reader.ReadExactly(header);
            var data = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
            reader.ReadExactly(data);
            var entry = AuditEntry.Parser.ParseFrom(data);
            entry.LeafData = ByteString.CopyFrom(data);
            entry.LeafHash = ByteString.CopyFrom(MerkleHash.Leaf(data));
            yield return entry;
        }
    }

    private void Recover()
    {
        var length = _file.Length;
        var buffer = new byte[4];
        long position = 0;
        while (position + 4 <= length)
        {
            _file.Position = position;
            _file.ReadExactly(buffer);
            var size = BinaryPrimitives.ReadUInt32BigEndian(buffer);
            if (position + 4 + size > length)
            {
                break;
            }

            var data = new byte[size];
            _file.ReadExactly(data);
            try
            {
                AuditEntry.Parser.ParseFrom(data);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new InvalidDataException($"Audit log {_path}: entry {_tree.Size} at byte {position} is not a valid entry; the log is corrupt or was altered.", ex);
            }

            _offsets.Add(position);
            _tree.Append(MerkleHash.Leaf(data));
            position += 4 + size;
        }

        if (position < length)
        {
            AuditLogLog.TornTail(_logger, _path, length - position, _tree.Size);
            _file.SetLength(position);
            _file.Flush(flushToDisk: true);
        }

        _file.Position = position;
        if (LatestCheckpoint() is { } note)
        {
            var checkpoint = SignedCheckpoint.Verify(note, Origin, _signingKey);
            if (checkpoint.Size > _tree.Size)
            {
                throw new InvalidDataException($"Audit log {_path} holds {_tree.Size} entries, but its signed checkpoint covers {checkpoint.Size}: acknowledged entries are missing.");
            }

            if (!_tree.Root(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                throw new InvalidDataException($"Audit log {_path} does not match its signed checkpoint at size {checkpoint.Size}: an entry was altered, removed or reordered.");
            }
        }

        AuditLogLog.Opened(_logger, _path, _tree.Size);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var reader = _queue.Reader;
        var buffer = new MemoryStream();
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            long next;
            long position;
            lock (_gate)
            {
                next = _tree.Size;
                position = _file.Position;
            }

            buffer.SetLength(0);
            var leaves = new List<(byte[] Hash, long Offset)>(batch.Count);
            var header = new byte[4];
            foreach (var pending in batch)
            {
                var data = Entry(pending, next + leaves.Count).ToByteArray();
                BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
                leaves.Add((MerkleHash.Leaf(data), position + buffer.Length));
                buffer.Write(header);
                buffer.Write(data);
            }

            try
            {
                _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                _file.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                // Nothing of this batch is acknowledged; cut the file back to where it was.
                AuditLogLog.AppendFailed(_logger, batch.Count, ex);
                try
                {
                    _file.SetLength(position);
                    _file.Position = position;
                }
                catch (IOException)
                {
                    // The next open truncates a torn tail anyway.
                }

                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(new Storage.StoreUnavailableException("The audit log could not be written; the request was not acknowledged.", ex));
                }

                continue;
            }

            lock (_gate)
            {
                foreach (var (hash, offset) in leaves)
                {
                    _tree.Append(hash);
                    _offsets.Add(offset);
                }
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(new Receipt { LeafIndex = (ulong)(next + i), LeafHash = ByteString.CopyFrom(leaves[i].Hash), LogOrigin = Origin });
            }
        }
    }

    /// <summary>The canonical entry: no personal data, the body only as a salted commitment.</summary>
    private AuditEntry Entry(Pending pending, long index)
    {
        var e = pending.Event;
        var entry = new AuditEntry
        {
            Index = (ulong)index,
            At = Timestamp.FromDateTimeOffset(pending.At),
            Actor = e.Actor,
            Kind = e.Kind,
            ExchangeId = e.ExchangeId ?? string.Empty,
            CaseNumber = e.CaseNumber ?? string.Empty,
            Detail = e.Detail,
            Subject = e.Subject,
        };
        if (e.Body is not null)
        {
            entry.BodyCommitment = ByteString.CopyFrom(Commitment(index, e.Body.ToByteArray()));
        }

        if (e.Masking is not null)
        {
            entry.Masking.AddRange(e.Masking);
        }

        return entry;
    }

    /// <summary>SHA-256(salt || body), the salt derived from the hub's secret and the entry index, so the hub can disclose it to whoever must check a body.</summary>
    public byte[] Commitment(long index, ReadOnlySpan<byte> body)
    {
        var salt = Salt(index);
        var input = new byte[salt.Length + body.Length];
        salt.CopyTo(input, 0);
        body.CopyTo(input.AsSpan(salt.Length));
        return SHA256.HashData(input);
    }

    public byte[] Salt(long index)
    {
        Span<byte> position = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(position, index);
        return HMACSHA256.HashData(_commitmentKey, position)[..16];
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _file.DisposeAsync();
    }

    private sealed class Pending(AuditEvent auditEvent, DateTimeOffset at)
    {
        public AuditEvent Event { get; } = auditEvent;

        public DateTimeOffset At { get; } = at;

        public TaskCompletionSource<Receipt?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal static partial class AuditLogLog
{
    [LoggerMessage(500, LogLevel.Information, "Audit log {Path} open: {Size} entries, tree verified")]
    public static partial void Opened(ILogger logger, string path, long size);

    [LoggerMessage(501, LogLevel.Warning, "Audit log {Path}: a torn final write of {Bytes} bytes was truncated after entry {Size}; nothing acknowledged was lost")]
    public static partial void TornTail(ILogger logger, string path, long bytes, long size);

    [LoggerMessage(502, LogLevel.Error, "Audit log append of {Count} entries failed; none was acknowledged")]
    public static partial void AppendFailed(ILogger logger, int count, Exception exception);
}
