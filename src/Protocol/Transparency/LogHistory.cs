using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AntiFraud.Exchange.Protocol.Transparency;

/// <summary>
/// One fsync'd batch of the audit log, as its history records it: the leaf hashes of its entries,
/// where the batch ends in the log file, and (for some batches) a checkpoint signed over the tree as it
/// stood after the batch; an empty <see cref="SignedNote"/> when none was signed with it. A record may
/// hold a note and no entries (a checkpoint asked for between batches). The hub writes it, and syncs
/// it to disk, before it returns any receipt of the batch.
/// </summary>
public sealed record HistoryRecord(long FirstIndex, IReadOnlyList<byte[]> Leaves, long LogEnd, string SignedNote)
{
    /// <summary>The tree size after the batch.</summary>
    public long Size => FirstIndex + Leaves.Count;
}

/// <summary>What reading a history file found: every whole record, and whether a torn record or damage follows them.</summary>
public sealed record HistoryReading(IReadOnlyList<HistoryRecord> Records, long ValidLength, bool TornTail, string? Damage);

/// <summary>
/// The audit log's history file ("audit.history"): records of
/// <c>magic "AFXB" | u64 first index | u32 count | u64 log end offset | count × 32-byte leaf hash |
/// u16 note length | signed note (UTF-8, may be empty) | SHA-256 of all of the above</c>, big-endian,
/// appended one per batch. A final record cut short is a torn write (its batch was never receipted);
/// any other mismatch is damage. The offline verifier uses it to pin an edited entry to its index: the
/// leaf hashes are bound by every signed checkpoint's root that covers them.
/// </summary>
public static class LogHistory
{
    private const uint Magic = 0x41465842;
    private const int HeaderSize = 4 + 8 + 4 + 8;

    /// <summary>No batch holds more entries than this; a larger count is damage, not a batch.</summary>
    public const int MaxRecordEntries = 1 << 20;

    public static byte[] Encode(HistoryRecord record)
    {
        var note = Encoding.UTF8.GetBytes(record.SignedNote);
        var bytes = new byte[HeaderSize + (32 * record.Leaves.Count) + 2 + note.Length + 32];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], record.FirstIndex);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], record.Leaves.Count);
        BinaryPrimitives.WriteInt64BigEndian(span[16..], record.LogEnd);
        var position = HeaderSize;
        foreach (var leaf in record.Leaves)
        {
            leaf.CopyTo(span[position..]);
            position += 32;
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[position..], checked((ushort)note.Length));
        note.CopyTo(span[(position + 2)..]);
        position += 2 + note.Length;
        SHA256.HashData(span[..position], span[position..]);
        return bytes;
    }

    /// <summary>Reads every record; stops at a torn final record or at the first damaged one. The records' leaf hashes are views of
    /// <paramref name="history"/> (each read copies one hash out), not one array per hash.</summary>
    public static HistoryReading Read(byte[] history)
    {
        ReadOnlySpan<byte> data = history;
        var records = new List<HistoryRecord>();
        var position = 0;
        Span<byte> digest = stackalloc byte[32];
        while (position < data.Length)
        {
            var rest = data[position..];
            if (rest.Length < HeaderSize)
            {
                return new HistoryReading(records, position, TornTail: true, null);
            }

            if (BinaryPrimitives.ReadUInt32BigEndian(rest) != Magic)
            {
                return new HistoryReading(records, position, false,
                    $"history record {records.Count} at byte {position} does not start with the record marker");
            }

            var first = BinaryPrimitives.ReadInt64BigEndian(rest[4..]);
            var count = BinaryPrimitives.ReadInt32BigEndian(rest[12..]);
            var logEnd = BinaryPrimitives.ReadInt64BigEndian(rest[16..]);
            if (count is < 0 or > MaxRecordEntries)
            {
                return new HistoryReading(records, position, false,
                    $"history record {records.Count} at byte {position} claims {count} entries");
            }

            var noteAt = HeaderSize + (32 * count);
            if (rest.Length < noteAt + 2)
            {
                return new HistoryReading(records, position, TornTail: true, null);
            }

            var noteLength = BinaryPrimitives.ReadUInt16BigEndian(rest[noteAt..]);
            var total = noteAt + 2 + noteLength + 32;
            if (rest.Length < total)
            {
                return new HistoryReading(records, position, TornTail: true, null);
            }

            SHA256.HashData(rest[..(total - 32)], digest);
            if (!digest.SequenceEqual(rest.Slice(total - 32, 32)))
            {
                return new HistoryReading(records, position, false,
                    $"history record {records.Count} at byte {position} (entries {first}..{first + count - 1}) fails its checksum");
            }

            var leaves = new LeafHashes(new ReadOnlyMemory<byte>(history, position + HeaderSize, 32 * count));

            if (count == 0 && noteLength == 0)
            {
                return new HistoryReading(records, position, false,
                    $"history record {records.Count} at byte {position} holds neither entries nor a checkpoint");
            }

            records.Add(new HistoryRecord(first, leaves, logEnd, Encoding.UTF8.GetString(rest.Slice(noteAt + 2, noteLength))));
            position += total;
        }

        return new HistoryReading(records, position, false, null);
    }
}

/// <summary>Leaf hashes stored back to back (32 bytes each), read one at a time.</summary>
internal sealed class LeafHashes(ReadOnlyMemory<byte> hashes) : IReadOnlyList<byte[]>
{
    public int Count => hashes.Length / 32;

    public byte[] this[int index] => (uint)index < (uint)Count
        ? hashes.Slice(32 * index, 32).ToArray()
        : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<byte[]> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
