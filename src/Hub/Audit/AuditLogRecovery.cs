using System.Buffers.Binary;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>What opening the log found, and the only repairs it allows: cutting a torn final write.</summary>
internal sealed record RecoveredLog(
    long Size,
    long LogLength,
    long? CutLogAt,
    long HistoryLength,
    long? CutHistoryAt,
    long SealedSize,
    string? LatestNote);

/// <summary>
/// Opens the audit log read-only and decides whether it may be used. The history (one signed record
/// per fsync'd batch, written before any receipt of the batch) says which entries were receipted:
/// each of those must be in the log byte for byte (its leaf hash must match), at the offsets the
/// history gives. After the last sealed batch, complete entries are kept and only a final entry with
/// fewer bytes than it claims (or a cut-off length prefix) may be cut: that is a torn write. Anything
/// else refuses with a report naming the entry and its byte offset, and changes nothing on disk.
/// </summary>
internal static class AuditLogRecovery
{
    /// <summary>No entry the hub writes comes near this; a longer claimed length is a damaged prefix, not a torn write.</summary>
    public const int MaxEntryBytes = 1 << 20;

    /// <summary>Reads the whole log into an empty tree (and no offsets): what a backup's check and offline tools do.</summary>
    public static RecoveredLog Read(string logPath, string historyPath, string checkpointPath, string origin, IReadOnlyList<ECDsa> key) =>
        Read(logPath, historyPath, checkpointPath, origin, key, new MerkleTree(), null, TreeState.Empty, null);

    /// <summary>
    /// Reads the log after <paramref name="from"/> (entries the tree and <paramref name="files"/> already hold; the caller checked
    /// them), appending each entry's leaf hash to <paramref name="tree"/> and its position to <paramref name="files"/>, and checks the
    /// entries against the history records written after it and the tree against the newest signed checkpoints. <paramref name="progress"/> hears the entry count
    /// every million entries.
    /// </summary>
    public static RecoveredLog Read(string logPath, string historyPath, string checkpointPath, string origin, IReadOnlyList<ECDsa> key,
        MerkleTree tree, AuditTreeFiles? files, TreeState from, Action<long>? progress)
    {
        var history = ReadHistory(logPath, historyPath, from.HistoryEnd);
        if (history.Damage is not null)
        {
            throw Refuse(logPath, $"{Path.GetFileName(historyPath)}: {history.Damage}");
        }

        var records = history.Records;
        CheckHistoryChain(logPath, records, from);
        var sealedSize = records.Count == 0 ? from.Size : records[^1].Size;
        var latestNote = records.LastOrDefault(r => r.SignedNote.Length > 0)?.SignedNote ?? from.LatestNote;
        var sealedLeaves = new LeafCursor(records);
        var batchEnds = records.Where(r => r.Leaves.Count > 0).ToDictionary(r => r.Size, r => r.LogEnd);

        long? cutAt = null;
        using var file = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var length = file.Length;
        if (length < from.LogEnd)
        {
            throw Refuse(logPath, $"the log ends at byte {length}, but its first {from.Size} entries ended at byte {from.LogEnd} when it was last "
                + "closed: receipted entries were cut");
        }

        var header = new byte[4];
        var position = from.LogEnd;
        file.Position = position;
        while (position < length)
        {
            var index = tree.Size;
            var receipted = index < sealedSize;
            if (length - position < 4)
            {
                if (receipted)
                {
                    throw Refuse(logPath,
                        $"the log ends at byte {length}, inside the length prefix of entry {index}, but entries {index}..{sealedSize - 1} were receipted");
                }

                cutAt = position;
                break;
            }

            file.Position = position;
            file.ReadExactly(header);
            var size = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (size > MaxEntryBytes)
            {
                throw Refuse(logPath,
                    $"entry {index} at byte {position} claims {size} bytes, more than any entry holds: its length prefix is damaged"
                    + (receipted ? $"; entries {index}..{sealedSize - 1} were receipted" : string.Empty));
            }

            if (position + 4 + size > length)
            {
                if (receipted)
                {
                    throw Refuse(logPath, $"entry {index} at byte {position} claims {size} bytes but the log ends at byte {length}: "
                        + $"its length prefix is damaged or entries were cut, and entries {index}..{sealedSize - 1} were receipted");
                }

                // The final entry, with fewer bytes than it claims: a torn write, never receipted.
                cutAt = position;
                break;
            }

            var data = new byte[size];
            file.ReadExactly(data);
            var leaf = MerkleHash.Leaf(data);
            if (receipted)
            {
                if (!leaf.AsSpan().SequenceEqual(sealedLeaves.Next()))
                {
                    throw Refuse(logPath, $"entry {index} at byte {position} differs from the entry that was receipted (edited in place, "
                        + $"or the bytes before it shifted)");
                }
            }
            else if (!IsEntry(data, index))
            {
                throw Refuse(logPath,
                    $"entry {index} at byte {position} is not a valid entry numbered {index}: the log was damaged or altered");
            }

            tree.Append(leaf);
            files?.AddOffset(position);
            position += 4 + size;
            if (tree.Size % 1_000_000 == 0)
            {
                files?.Flush();
                progress?.Invoke(tree.Size);
            }

            if (receipted && batchEnds.TryGetValue(tree.Size, out var end) && position != end)
            {
                throw Refuse(logPath,
                    $"the batch ending with entry {tree.Size - 1} ends at byte {position}, but its history record says {end}");
            }
        }

        if (tree.Size < sealedSize)
        {
            throw Refuse(logPath,
                $"the log holds {tree.Size} entries (to byte {length}), but entries {tree.Size}..{sealedSize - 1} were receipted");
        }

        if (latestNote is not null)
        {
            CheckNote(logPath, latestNote, origin, key, tree, "its latest history record");
        }

        if (File.Exists(checkpointPath))
        {
            string? note;
            try
            {
                note = File.ReadAllText(checkpointPath);
            }
            catch (IOException)
            {
                note = null;
            }

            if (note is not null)
            {
                CheckNote(logPath, note, origin, key, tree, Path.GetFileName(checkpointPath));
                latestNote ??= note;
            }
        }

        files?.Flush();
        var historyLength = from.HistoryEnd + history.ValidLength;
        return new RecoveredLog(tree.Size, length, cutAt, historyLength, history.TornTail ? historyLength : null, sealedSize, latestNote);
    }

    /// <summary>The history records written after byte <paramref name="start"/> (positions in the reading are relative to it).</summary>
    private static HistoryReading ReadHistory(string logPath, string historyPath, long start)
    {
        if (!File.Exists(historyPath))
        {
            return start == 0 ? new HistoryReading([], 0, false, null)
                : throw Refuse(logPath, $"{Path.GetFileName(historyPath)} is missing, but it held {start} bytes when the log was last closed");
        }

        using var stream = new FileStream(historyPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length < start)
        {
            throw Refuse(logPath, $"{Path.GetFileName(historyPath)} ends at byte {stream.Length}, but it held {start} bytes when the log was last closed");
        }

        var rest = new byte[stream.Length - start];
        stream.Position = start;
        stream.ReadExactly(rest);
        return LogHistory.Read(rest);
    }

    private static void CheckHistoryChain(string logPath, IReadOnlyList<HistoryRecord> records, TreeState from)
    {
        var next = from.Size;
        var end = from.LogEnd;
        foreach (var r in records)
        {
            if (r.FirstIndex != next || r.LogEnd < end || (r.Leaves.Count > 0 && r.LogEnd == end))
            {
                throw Refuse(logPath,
                    $"the history record of entries {r.FirstIndex}..{r.Size - 1} does not follow the one before it (expected entry {next} after byte {end})");
            }

            next = r.Size;
            end = r.LogEnd;
        }
    }

    private static void CheckNote(string logPath, string note, string origin, IReadOnlyList<ECDsa> key, MerkleTree tree, string what)
    {
        CheckpointBody checkpoint;
        try
        {
            checkpoint = SignedCheckpoint.Verify(note, origin, key);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw Refuse(logPath, $"{what} does not verify with the log's key: {ex.Message}");
        }

        if (checkpoint.Size > tree.Size)
        {
            throw Refuse(logPath, $"{what} covers {checkpoint.Size} entries but the log holds {tree.Size}: receipted entries are missing");
        }

        if (!tree.Root(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            throw Refuse(logPath, $"the log does not match {what} at size {checkpoint.Size}: an entry was altered, removed or reordered");
        }
    }

    private static bool IsEntry(byte[] data, long index)
    {
        try
        {
            return (long)AuditEntry.Parser.ParseFrom(data).Index == index;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static AuditLogDamagedException Refuse(string logPath, string problem) =>
        new($"Audit log {logPath} cannot be opened: {problem}. Nothing was changed on disk. "
            + "Locate the damage offline with `afx audit verify-segment --log <audit.log> --history <audit.history>` and restore the log from a copy; "
            + "the hub will not start on a log that lost or altered receipted entries.");
}

/// <summary>The audit log on disk lost or altered entries the hub gave receipts for: the hub must not start.</summary>
internal sealed class AuditLogDamagedException(string message) : IOException(message);

/// <summary>The history's leaf hashes in index order, one at a time (a long history is not copied out whole).</summary>
internal sealed class LeafCursor(IReadOnlyList<HistoryRecord> records)
{
    private int _record;
    private int _leaf;

    public byte[] Next()
    {
        while (_leaf >= records[_record].Leaves.Count)
        {
            _record++;
            _leaf = 0;
        }

        return records[_record].Leaves[_leaf++];
    }
}
