using System.Buffers.Binary;
using System.Text;
using System.Security.Cryptography;
using System.Threading.Channels;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// The tamper-evident audit log: an append-only file of length-prefixed entries whose leaf hashes form
/// an RFC 6962 Merkle tree. Appends are group-committed: each batch is written and synced, then its
/// history record (the batch's leaf hashes, and now and then a checkpoint signed over the tree after it)
/// is written and synced, and only then are its receipts returned. So the history says exactly which
/// entries were receipted, and every signed checkpoint covers only receipted entries. Checkpoints are
/// signed about once a second under load and when one is asked for (requests in one batch share one
/// signature), never once per batch. On open, recovery may cut only a torn final write; anything else
/// refuses to start (see <see cref="AuditLogRecovery"/>). Entries hold no clear personal data: the body
/// is only a salted SHA-256 commitment.
/// </summary>
internal sealed partial class AuditLog : IAuditSink, IAsyncDisposable
{
    private const int MaxBatch = 1024;

    /// <summary>Logs up to this many entries are checked in full when opened; longer ones open from their saved tree (see
    /// <see cref="AuditTreeFiles"/>) and are checked in full in the background.</summary>
    public const long DefaultFullCheckBelow = 1_000_000;

    /// <summary>The tree files are synced, and their state saved, each time the log has grown by this many entries.</summary>
    internal const long SaveTreeEvery = 1 << 16;

    /// <summary>Under load a checkpoint is signed with a batch at most this often; between, only on request.</summary>
    internal static readonly TimeSpan SignInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly string _historyPath;
    private readonly string _checkpointPath;
    private readonly FileStream _file;
    private readonly FileStream _history;
    private readonly AuditTreeFiles _files;
    private readonly MerkleTree _tree;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Lock _signing = new();
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000) { SingleReader = true });
    private readonly Task _loop;

    // Durable batches whose bodies are still to be stored; one store write takes every batch waiting when the previous one finished.
    private readonly Channel<BodiesToKeep> _bodies = Channel.CreateUnbounded<BodiesToKeep>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _bodiesKept;
    private readonly TimeProvider _time;
    private readonly IEvidenceStore? _evidence;
    private readonly string _directory;
    private readonly byte[] _commitmentKey;
    private volatile ECDsa _signingKey;
    private volatile IReadOnlyList<ECDsa> _keys;

    // Set by a key rotation until the handover checkpoint (signed by the new key and the old) is in the history.
    private volatile ECDsa? _handoverFrom;
    private readonly ILogger _logger;
    private string? _latestNote;
    private string? _fileWrittenNote;

    // Receipted entries. The tree may briefly hold more (a batch being sealed); readers see only these.
    private long _size;
    private long _signedSize = -1;
    private long _savedSize;
    private int _disposed;
    private DateTimeOffset _lastSigned = DateTimeOffset.MinValue;
    private DateTimeOffset? _signedAt;

    /// <param name="evidence">Where the committed bodies are kept (sealed) so commitments can be opened; none: they are not kept.</param>
    /// <param name="fullCheckBelow">Logs with fewer entries than this saved in their tree are read in full when opened.</param>
    public AuditLog(string directory, string origin, ECDsa signingKey, byte[] commitmentKey, TimeProvider time, ILogger<AuditLog> logger,
        IEvidenceStore? evidence = null, long fullCheckBelow = DefaultFullCheckBelow)
    {
        _evidence = evidence;
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "audit.log");
        _historyPath = Path.Combine(directory, "audit.history");
        _checkpointPath = Path.Combine(directory, "audit.checkpoint");
        Origin = origin;
        _directory = directory;
        _signingKey = signingKey;
        _keys = AuditKeys.Open(directory, signingKey);
        _commitmentKey = commitmentKey;
        _time = time;
        _logger = logger;

        // The log and its history are read first: a log that cannot be used is refused before either changes on disk. (The tree files
        // derive from them and are rebuilt whenever they do not match.)
        _files = new AuditTreeFiles(Path.Combine(directory, "tree"));
        _tree = new MerkleTree(_files);
        RecoveredLog recovered;
        TreeState? quick;
        try
        {
            recovered = Recover(fullCheckBelow, out quick);
        }
        catch
        {
            _files.Dispose();
            throw;
        }

        _latestNote = recovered.LatestNote;
        _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        _history = new FileStream(_historyPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        if (recovered.CutLogAt is { } cut)
        {
            AuditLogLog.TornTail(_logger, _path, recovered.LogLength - cut, _tree.Size);
            _file.SetLength(cut);
            _file.Flush(flushToDisk: true);
        }

        if (recovered.CutHistoryAt is { } historyCut)
        {
            _history.SetLength(historyCut);
            _history.Flush(flushToDisk: true);
        }

        _file.Position = _file.Length;
        _history.Position = _history.Length;
        if (recovered.SealedSize < _tree.Size)
        {
            // Complete entries written before a crash, or a log from before the history existed: seal them now.
            Seal(recovered.SealedSize, _tree.Size);
            AuditLogLog.Sealed(_logger, _path, _tree.Size - recovered.SealedSize);
        }

        _size = _tree.Size;
        _savedSize = quick?.Size ?? 0;
        if (_size - _savedSize >= SaveTreeEvery)
        {
            // A long log read in full (or a long way past its saved tree): the next start need not read it again, even after a crash.
            SaveTree();
        }

        var newest = _latestNote is null ? null : SignedCheckpoint.Verify(_latestNote, Origin, _keys);
        _signedSize = newest?.Size ?? -1;
        _signedAt = newest?.Time;
        AuditLogLog.Opened(_logger, _path, _size, quick is null ? "read in full" : $"the first {quick.Size} from the saved tree, checked in the background");
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        _bodiesKept = _evidence is null ? Task.CompletedTask : Task.Run(KeepBodiesAsync);
        OpenedFrom = quick;
        TreeChecked = quick is null ? Task.CompletedTask
            : Task.Factory.StartNew(() => CheckTree(quick), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Set when the background check of a quickly opened log found an entry or a tree node altered: the log must be restored.</summary>
    public string? Damage { get; private set; }

    /// <summary>The saved tree state a quick open started from; null when the log was read in full.</summary>
    internal TreeState? OpenedFrom { get; }

    /// <summary>Ends when the background check of the entries a quick open took from the saved tree has ended (at once after a full open).</summary>
    internal Task TreeChecked { get; }

    /// <summary>
    /// Opens from the saved tree when it covers at least <paramref name="fullCheckBelow"/> entries, its files hold them and its root
    /// matches (then only the entries after it are read here, and the signed checkpoints are checked against the tree); otherwise reads
    /// the whole log into fresh tree files. <paramref name="quick"/> is the saved state a quick open trusted, else null.
    /// </summary>
    private RecoveredLog Recover(long fullCheckBelow, out TreeState? quick)
    {
        var state = _files.Load();
        if (state is { Size: > 0 } && state.Size >= fullCheckBelow && _files.Holds(state.Size))
        {
            _files.Cut(state.Size);
            if (_tree.Root(state.Size).AsSpan().SequenceEqual(state.Root))
            {
                try
                {
                    quick = state;
                    return AuditLogRecovery.Read(_path, _historyPath, _checkpointPath, Origin, _keys, _tree, _files, state, Progress);
                }
                catch (AuditLogDamagedException ex)
                {
                    AuditLogLog.QuickOpenFailed(_logger, _path, state.Size, ex.Message);
                }
            }
        }

        quick = null;
        _files.Forget();
        _files.Cut(0);
        return AuditLogRecovery.Read(_path, _historyPath, _checkpointPath, Origin, _keys, _tree, _files, TreeState.Empty, Progress);

        void Progress(long entries) => AuditLogLog.Reading(_logger, _path, entries);
    }

    private void CheckTree(TreeState state)
    {
        var started = _time.GetTimestamp();
        try
        {
            Damage = AuditTreeCheck.Run(_path, _files, state, _stopping.Token);
            if (Damage is null)
            {
                AuditLogLog.TreeChecked(_logger, _path, state.Size, _time.GetElapsedTime(started).TotalSeconds);
            }
            else
            {
                AuditLogLog.Altered(_logger, _path, Damage);
            }
        }
        catch (OperationCanceledException)
        {
            // The hub is stopping; the next open checks again.
        }
        catch (IOException ex)
        {
            Damage = "the log or its tree files could not be read: " + ex.Message;
            AuditLogLog.Altered(_logger, _path, Damage);
        }
    }

    /// <summary>
    /// Writes the tree's new hashes and offsets. The batch is durable in the log and its history already, so a failure here does not
    /// fail it: what was not written stays in memory (proofs read it from there) and goes with the next batch's write.
    /// </summary>
    private void FlushTree()
    {
        try
        {
            _files.Flush();
        }
        catch (IOException ex)
        {
            AuditLogLog.TreeNotWritten(_logger, _path, ex);
        }
    }

    /// <summary>Syncs the tree files and saves their state at the receipted size (the appender's, or after it stopped).</summary>
    private void SaveTree()
    {
        try
        {
            _files.Flush();
            _files.Save(new TreeState(_size, _file.Position, _history.Position, _tree.Root(_size), _latestNote));
            _savedSize = _size;
        }
        catch (IOException ex)
        {
            // Only the next open's speed depends on it: that open reads the log from the last saved state.
            AuditLogLog.TreeNotSaved(_logger, _path, ex);
        }
    }

    /// <summary>Why the last append failed (the disk), or null once an append worked.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The log's name in its checkpoints, and the key name of its signature.</summary>
    public string Origin { get; }

    /// <summary>The key new checkpoints are signed with.</summary>
    public ECDsa PublicKey => _signingKey;

    /// <summary>Every key the log was signed with, oldest first (audit.keys): a checkpoint verifies with one of them.</summary>
    public IReadOnlyList<ECDsa> PublicKeys => _keys;

    /// <summary>
    /// Signs with <paramref name="key"/> from now on. Its public key is added to audit.keys first; then a handover checkpoint of the
    /// log as it stands is signed by the new key and the old one, so a verifier holding only the old public key sees the log up to the
    /// handover, and one given both sees it all. Returns the handover checkpoint, or null when the key is the one in use.
    /// </summary>
    public async Task<string?> RotateSigningKeyAsync(ECDsa key, CancellationToken cancellationToken)
    {
        lock (_signing)
        {
            if (AuditKeys.Same(key, _signingKey))
            {
                return null;
            }

            if (!_keys.Any(k => AuditKeys.Same(k, key)))
            {
                AuditKeys.Append(_directory, key);
                _keys = [.. _keys, key];
            }

            _handoverFrom = _signingKey;
            _signingKey = key;
        }

        await CheckpointAsync(cancellationToken);
        return SignCheckpoint();
    }

    /// <summary>The size and signing time of the newest signed checkpoint (size -1 before the first), for the operations
    /// metrics: a checkpoint that stops advancing while entries are added is an alert.</summary>
    public (long Size, DateTimeOffset? At) Checkpointed
    {
        get
        {
            lock (_gate)
            {
                return (_signedSize, _signedAt);
            }
        }
    }

    /// <summary>Receipted entries: every one of them is on disk and in the history.</summary>
    public long Size
    {
        get
        {
            lock (_gate)
            {
                return _size;
            }
        }
    }

    public async ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var pending = new Pending(auditEvent, _time.GetUtcNow());
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The newest signed checkpoint (at most about a second behind under load, more when idle); null before the first.</summary>
    public string? LatestCheckpoint()
    {
        lock (_gate)
        {
            return _latestNote;
        }
    }

    /// <summary>
    /// A checkpoint covering every receipt given before the call: the newest one if it does, else one
    /// signed by the appender with its next batch (concurrent requests share it).
    /// </summary>
    public async Task<string> CheckpointAsync(CancellationToken cancellationToken)
    {
        var request = new Pending(null, _time.GetUtcNow());
        await _queue.Writer.WriteAsync(request, cancellationToken);
        return await request.Checkpoint!.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// A checkpoint covering every receipt so far, also written to audit.checkpoint (for operators and
    /// offline tools) when the log grew since the last write. Serialised, with a temporary file of its
    /// own, synced and renamed into place.
    /// </summary>
    public string SignCheckpoint()
    {
        var note = CheckpointAsync(CancellationToken.None).GetAwaiter().GetResult();
        lock (_signing)
        {
            if (note == _fileWrittenNote)
            {
                return note;
            }

            var temp = $"{_checkpointPath}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    stream.Write(Encoding.UTF8.GetBytes(note));
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, _checkpointPath, overwrite: true);
                _fileWrittenNote = note;
                return note;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                AuditLogLog.CheckpointNotWritten(_logger, _checkpointPath, ex);
                throw new StoreUnavailableException("The audit checkpoint could not be written; retry shortly.", ex);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file harms nothing.
        }
    }

    /// <summary>Writes and syncs the history record of entries [first, end), already in the tree and the log file.</summary>
    private void Seal(long first, long end)
    {
        for (var from = first; from < end; from += LogHistory.MaxRecordEntries)
        {
            var to = Math.Min(end, from + LogHistory.MaxRecordEntries);
            var leaves = new List<byte[]>((int)(to - from));
            for (var i = from; i < to; i++)
            {
                leaves.Add(_tree.LeafHash(i));
            }

            var logEnd = to < _tree.Size ? _files.Offset(to) : _file.Length;
            var note = SignedCheckpoint.Sign(new CheckpointBody(Origin, to, _tree.Root(to), _time.GetUtcNow()), Origin, _signingKey);
            _history.Write(LogHistory.Encode(new HistoryRecord(from, leaves, logEnd, note)));
            _history.Flush(flushToDisk: true);
            _latestNote = note;
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var checkpoints = new List<Pending>();
        var reader = _queue.Reader;
        var buffer = new MemoryStream();
        var header = new byte[4];
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            checkpoints.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                (pending.Event is null ? checkpoints : batch).Add(pending);
            }

            var next = _size;
            var position = _file.Position;
            var historyPosition = _history.Position;
            buffer.SetLength(0);
            var leaves = new List<byte[]>(batch.Count);
            var offsets = new List<long>(batch.Count);
            var bodies = _evidence is null ? null : new List<CommittedBody>();
            foreach (var pending in batch)
            {
                var data = Entry(pending, next + leaves.Count, bodies).ToByteArray();
                BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
                leaves.Add(MerkleHash.Leaf(data));
                offsets.Add(position + buffer.Length);
                buffer.Write(header);
                buffer.Write(data);
            }

            var size = next + leaves.Count;
            var now = _time.GetUtcNow();
            string? note = null;
            var handoverFrom = _handoverFrom;
            try
            {
                if (leaves.Count > 0)
                {
                    _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                    _file.Flush(flushToDisk: true);
                }

                byte[] root;
                lock (_gate)
                {
                    // Readers still see the old size: the batch is not receipted until its history is on disk.
                    foreach (var leaf in leaves)
                    {
                        _tree.Append(leaf);
                    }

                    root = _tree.Root(size);
                }

                var due = checkpoints.Count > 0 || (leaves.Count > 0 && now - _lastSigned >= SignInterval);
                if ((due && size != _signedSize) || handoverFrom is not null)
                {
                    note = SignedCheckpoint.Sign(new CheckpointBody(Origin, size, root, now), Origin, _signingKey);
                    if (handoverFrom is not null)
                    {
                        note = SignedCheckpoint.Cosign(note, Origin, handoverFrom);
                    }
                }

                if (leaves.Count > 0 || note is not null)
                {
                    _history.Write(LogHistory.Encode(new HistoryRecord(next, leaves, position + buffer.Length, note ?? string.Empty)));
                    _history.Flush(flushToDisk: true);
                }
            }
            catch (IOException ex)
            {
                // Nothing of this batch is acknowledged; cut both files and the tree back to where they were.
                AuditLogLog.AppendFailed(_logger, batch.Count, ex);
                LastFailure = ex.Message;
                lock (_gate)
                {
                    if (_tree.Size > next)
                    {
                        _tree.Truncate(next);
                    }
                }

                RollBack(position, historyPosition);
                var failure = new StoreUnavailableException("The audit log could not be written; the request was not acknowledged.", ex);
                foreach (var pending in batch.Concat(checkpoints))
                {
                    pending.Completion.TrySetException(failure);
                    pending.Checkpoint?.TrySetException(failure);
                }

                continue;
            }

            LastFailure = null;
            string? latest;
            lock (_gate)
            {
                foreach (var offset in offsets)
                {
                    _files.AddOffset(offset);
                }

                FlushTree();
                _size = size;
                if (note is not null)
                {
                    _latestNote = note;
                    _signedSize = size;
                    _lastSigned = now;
                    _signedAt = now;
                }

                if (handoverFrom is not null)
                {
                    Interlocked.CompareExchange(ref _handoverFrom, null, handoverFrom);
                }

                latest = _latestNote;
            }

            foreach (var request in checkpoints)
            {
                request.Checkpoint!.TrySetResult(latest!);
            }

            if (_size - _savedSize >= SaveTreeEvery)
            {
                SaveTree();
            }

            var receipted = batch.ToArray();
            if (bodies is { Count: > 0 })
            {
                // The entries are durable; their bodies are stored before the receipts go out, so every receipted commitment can be
                // opened. The next batch does not wait for it.
                _bodies.Writer.TryWrite(new BodiesToKeep(receipted, next, [.. leaves], bodies));
            }
            else
            {
                Receipt(receipted, next, leaves);
            }
        }
    }

    private void RollBack(long position, long historyPosition)
    {
        try
        {
            _file.SetLength(position);
            _file.Position = position;
            _history.SetLength(historyPosition);
            _history.Position = historyPosition;
        }
        catch (IOException)
        {
            // The next open cuts a torn tail anyway: nothing of the batch was receipted.
        }
    }

    private void Receipt(Pending[] batch, long first, IReadOnlyList<byte[]> leaves)
    {
        var now = _time.GetUtcNow();
        for (var i = 0; i < batch.Length; i++)
        {
            HubMetrics.AuditAppend.Record((now - batch[i].At).TotalSeconds);
            batch[i].Completion.TrySetResult(new Receipt { LeafIndex = (ulong)(first + i), LeafHash = ByteString.CopyFrom(leaves[i]),
                LogOrigin = Origin });
        }
    }

    /// <summary>Stores the bodies of durable batches, then gives their receipts. Batches that became durable while the previous
    /// store write ran go together in the next one: one write to the store for many audit batches, not one each.</summary>
    private async Task KeepBodiesAsync()
    {
        var reader = _bodies.Reader;
        var waiting = new List<BodiesToKeep>();
        var bodies = new List<CommittedBody>();
        while (await reader.WaitToReadAsync())
        {
            waiting.Clear();
            bodies.Clear();
            while (bodies.Count < MaxBatch && reader.TryRead(out var kept))
            {
                waiting.Add(kept);
                bodies.AddRange(kept.Bodies);
            }

            try
            {
                await _evidence!.SaveBodiesAsync(Origin, bodies, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The entries themselves are durable and receipted; only the opening of these commitments is lost. Said loudly.
                AuditLogLog.BodiesNotKept(_logger, bodies.Count, waiting[0].First, ex);
            }

            foreach (var kept in waiting)
            {
                Receipt(kept.Batch, kept.First, kept.Leaves);
            }
        }
    }

    private sealed record BodiesToKeep(Pending[] Batch, long First, byte[][] Leaves, List<CommittedBody> Bodies);

    /// <summary>The canonical entry: no personal data, the body only as a salted commitment (the body itself, with its salt, goes to
    /// <paramref name="bodies"/> when they are kept).</summary>
    private AuditEntry Entry(Pending pending, long index, List<CommittedBody>? bodies)
    {
        var e = pending.Event!;
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
            var body = e.Body.ToByteArray();
            entry.BodyCommitment = ByteString.CopyFrom(Commitment(index, body));
            if (e.BodyKeptUnder is { Length: > 0 } keptUnder)
            {
                bodies?.Add(new CommittedBody(index, keptUnder, Salt(index), e.Body.Descriptor.FullName, body));
            }
        }

        if (e.Masking is not null)
        {
            entry.Masking.AddRange(e.Masking);
        }

        return entry;
    }

    /// <summary>SHA-256(salt || body), the salt derived from the hub's secret and the entry index, so the hub can disclose it to whoever
    /// must check a body.</summary>
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
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        _bodies.Writer.TryComplete();
        await _bodiesKept;
        await TreeChecked;
        if (_size != _savedSize && LastFailure is null)
        {
            SaveTree();
        }

        _files.Dispose();
        _stopping.Dispose();
        await _file.DisposeAsync();
        await _history.DisposeAsync();
    }

    /// <summary>An entry to append, or (with no event) a request for a checkpoint covering every receipt so far.</summary>
    private sealed class Pending(AuditEvent? auditEvent, DateTimeOffset at)
    {
        public AuditEvent? Event { get; } = auditEvent;

        public DateTimeOffset At { get; } = at;

        public TaskCompletionSource<Receipt?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<string>? Checkpoint { get; } = auditEvent is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }
}
