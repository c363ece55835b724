using System.Buffers.Binary;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Transparency;

/// <summary>What an offline verification found: the first problem and where, or a clean bill.</summary>
public sealed record VerificationReport(bool Valid, long Entries, string Message, long? Index = null)
{
    public override string ToString() => Valid
        ? $"OK: {Entries} entries verified. {Message}"
        : $"TAMPERED{(Index is { } i ? $" at entry {i}" : string.Empty)}: {Message}";
}

/// <summary>
/// Verifies an exported log segment (the hub's audit.log format: 4-byte big-endian length, then the
/// entry) with nothing but the file, the hub's public key and signed checkpoints. It finds torn or
/// garbage framing, entries removed or reordered (each entry carries its index), and any edit: the
/// recomputed root must equal every checkpoint's, and the first checkpoint that disagrees bounds the
/// edited entries. With the leaf hashes of receipts partners hold, or with the log's history (a signed
/// checkpoint and the leaf hashes of every fsync'd batch, "audit.history"), an edit is pinned to its entry.
/// </summary>
public static class SegmentVerifier
{
    public static VerificationReport Verify(
        byte[] segment,
        IEnumerable<string> signedCheckpoints,
        string keyName,
        IReadOnlyList<ECDsa> publicKey,
        IReadOnlyDictionary<long, byte[]>? receipts = null,
        byte[]? history = null)
    {
        var sealedLeaves = new List<byte[]>();
        var historyCheckpoints = new List<string>();
        if (history is not null)
        {
            var problem = ReadHistory(history, keyName, publicKey, sealedLeaves, historyCheckpoints);
            if (problem is not null)
            {
                return problem;
            }
        }

        var checkpoints = new List<CheckpointBody>();
        foreach (var note in signedCheckpoints.Concat(historyCheckpoints))
        {
            try
            {
                checkpoints.Add(SignedCheckpoint.Verify(note, keyName, publicKey));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                return new VerificationReport(false, 0, "a checkpoint is forged or altered: " + ex.Message);
            }
        }

        var tree = new MerkleTree();
        var position = 0;
        while (position < segment.Length)
        {
            var index = tree.Size;
            if (position + 4 > segment.Length)
            {
                return new VerificationReport(false, index, $"the segment ends inside the length prefix of entry {index} (torn or cut).",
                    index);
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(position));
            if (position + 4 + length > segment.Length)
            {
                return new VerificationReport(false, index,
                    $"entry {index} claims {length} bytes but the segment ends first (torn or cut).", index);
            }

            var data = segment.AsSpan(position + 4, (int)length);
            AuditEntry entry;
            try
            {
                entry = AuditEntry.Parser.ParseFrom(data);
            }
            catch (InvalidProtocolBufferException)
            {
                return new VerificationReport(false, index, $"entry {index} is not a valid audit entry (altered bytes).", index);
            }

            if ((long)entry.Index != index)
            {
                var what = (long)entry.Index > index ? $"entries {index}..{(long)entry.Index - 1} were removed" : "entries were reordered or repeated";
                return new VerificationReport(false, index, $"position {index} holds the entry numbered {entry.Index}: {what}.", index);
            }

            var leaf = MerkleHash.Leaf(data);
            if (receipts is not null && receipts.TryGetValue(index, out var expected) && !expected.AsSpan().SequenceEqual(leaf))
            {
                return new VerificationReport(false, index, $"entry {index} differs from the receipt issued for it (edited).", index);
            }

            if (index < sealedLeaves.Count && !sealedLeaves[(int)index].AsSpan().SequenceEqual(leaf))
            {
                return new VerificationReport(false, index,
                    $"entry {index} (byte {position}) was edited: it differs from the entry sealed in the signed history when it was receipted.", index);
            }

            tree.Append(leaf);
            position += 4 + (int)length;
        }

        if (tree.Size < sealedLeaves.Count)
        {
            return new VerificationReport(false, tree.Size,
                $"the history sealed {sealedLeaves.Count} entries but the segment holds {tree.Size}: entries {tree.Size}..{sealedLeaves.Count - 1} were removed.", tree.Size);
        }

        var previous = 0L;
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Size))
        {
            if (checkpoint.Size > tree.Size)
            {
                return new VerificationReport(false, tree.Size,
                    $"a checkpoint covers {checkpoint.Size} entries but the segment holds {tree.Size}: entries {tree.Size}..{checkpoint.Size - 1} were removed.", tree.Size);
            }

            if (!tree.Root(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                return new VerificationReport(false, tree.Size,
                    $"the entries do not hash to the checkpoint at size {checkpoint.Size}: an entry in {previous}..{checkpoint.Size - 1} was edited.", previous);
            }

            previous = checkpoint.Size;
        }

        return new VerificationReport(true, tree.Size, checkpoints.Count == 0
            ? "Framing and order are sound, but no checkpoint was given: the content is unproven."
            : $"Matches {checkpoints.Count} signed checkpoint(s), the latest at size {previous}"
                + (history is null ? "." : $"; every entry matches the signed history of {sealedLeaves.Count} sealed entries."));
    }

    /// <summary>
    /// Reads and checks the history: its leaves follow on from each other, and every checkpoint it
    /// carries is signed by the log's key over the leaves listed up to it.
    /// </summary>
    private static VerificationReport? ReadHistory(byte[] history, string keyName, IReadOnlyList<ECDsa> publicKey, List<byte[]> leaves, List<string> notes)
    {
        var reading = LogHistory.Read(history);
        if (reading.Damage is not null)
        {
            return new VerificationReport(false, 0, "the history is damaged: " + reading.Damage + ".");
        }

        var tree = new MerkleTree();
        var verifiedUpTo = 0L;
        foreach (var record in reading.Records)
        {
            if (record.FirstIndex != tree.Size)
            {
                return new VerificationReport(false, tree.Size, $"the history skips from entry {tree.Size} to {record.FirstIndex}.",
                    tree.Size);
            }

            foreach (var leaf in record.Leaves)
            {
                tree.Append(leaf);
                leaves.Add(leaf);
            }

            if (record.SignedNote.Length == 0)
            {
                continue;
            }

            CheckpointBody body;
            try
            {
                body = SignedCheckpoint.Verify(record.SignedNote, keyName, publicKey);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                return new VerificationReport(false, verifiedUpTo,
                    $"the history's checkpoint at entry {record.Size} is forged or altered: {ex.Message}", verifiedUpTo);
            }

            if (body.Size != record.Size || !tree.Root(body.Size).AsSpan().SequenceEqual(body.RootHash))
            {
                return new VerificationReport(false, verifiedUpTo,
                    $"the history lists leaves for entries {verifiedUpTo}..{record.Size - 1} that its signed checkpoint at size {body.Size} does not cover (altered).", verifiedUpTo);
            }

            verifiedUpTo = record.Size;
            notes.Add(record.SignedNote);
        }

        return null;
    }
}
