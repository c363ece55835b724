using System.Buffers.Binary;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// The check a quick open leaves for later: that the log's first entries, read byte for byte from the start, still hash to the leaves
/// of the tree files, that every node above them is the hash of its children, and that the offsets point at the entries. With the root
/// there checked against a signed checkpoint when the log was opened, this binds every entry to a signature, as a full open does.
/// </summary>
internal static class AuditTreeCheck
{
    /// <summary>Null when entries [0, state.Size) match the tree files; otherwise what differs, naming the entry or the node.</summary>
    public static string? Run(string logPath, AuditTreeFiles files, TreeState state, CancellationToken cancellationToken)
    {
        var size = state.Size;
        using var log = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        using var offsets = new FileStream(files.OffsetsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var levels = new List<FileStream>();
        try
        {
            for (var h = 0; size >> h > 0; h++)
            {
                levels.Add(new FileStream(files.LevelPath(h), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16));
            }

            var left = new byte[levels.Count][];
            var stored = new byte[MerkleHash.Size];
            var header = new byte[4];
            var offset = new byte[8];
            var data = new byte[AuditLogRecovery.MaxEntryBytes];
            long position = 0;
            for (long index = 0; index < size; index++)
            {
                if ((index & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                offsets.ReadExactly(offset);
                if (BinaryPrimitives.ReadInt64LittleEndian(offset) != position)
                {
                    return $"the tree's offset of entry {index} is byte {BinaryPrimitives.ReadInt64LittleEndian(offset)}, but the entry starts at byte {position}";
                }

                log.ReadExactly(header);
                var length = BinaryPrimitives.ReadUInt32BigEndian(header);
                if (length > AuditLogRecovery.MaxEntryBytes)
                {
                    return $"entry {index} at byte {position} claims {length} bytes: its length prefix was altered";
                }

                log.ReadExactly(data, 0, (int)length);
                var node = MerkleHash.Leaf(data.AsSpan(0, (int)length));
                levels[0].ReadExactly(stored);
                if (!node.AsSpan().SequenceEqual(stored))
                {
                    return $"entry {index} at byte {position} does not hash to its leaf in the tree: the entry (or the tree file) was altered "
                        + "after it was receipted";
                }

                position += 4 + length;
                var level = 0;
                for (var i = index; (i & 1) == 1; i >>= 1)
                {
                    node = MerkleHash.Node(left[level], node);
                    level++;
                    levels[level].ReadExactly(stored);
                    if (!node.AsSpan().SequenceEqual(stored))
                    {
                        return $"the tree's node {i >> 1} at level {level} is not the hash of the entries below it: the tree files were altered";
                    }
                }

                left[level] = node;
            }

            return position == state.LogEnd ? null
                : $"the first {size} entries end at byte {position}, but they ended at byte {state.LogEnd} when the tree was saved";
        }
        catch (EndOfStreamException)
        {
            return $"the log or the tree files end before entry {size - 1}: they were cut";
        }
        finally
        {
            foreach (var level in levels)
            {
                level.Dispose();
            }
        }
    }
}
