using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Protocol.Transparency;

/// <summary>
/// Checks an opened commitment with nothing from the hub but what the opening carries and the log's public keys: the checkpoint's
/// signature; the entry's inclusion in that checkpoint's tree (its leaf hash recomputed from its canonical bytes); and
/// SHA-256(salt || body) equal to the commitment the entry holds. When all three hold, this exact body is what the logged event
/// (a submission, a delivery, an answer) carried.
/// </summary>
public static class CommitmentVerifier
{
    public sealed record Outcome(bool Valid, string Message);

    public static Outcome Verify(CommitmentOpening opening, IReadOnlyList<ECDsa> logKeys, byte[]? body = null)
    {
        body ??= opening.Body.ToByteArray();
        CheckpointBody checkpoint;
        try
        {
            checkpoint = SignedCheckpoint.Verify(opening.Checkpoint.SignedNote, opening.Checkpoint.Origin, logKeys);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return new Outcome(false, "the checkpoint does not verify with the log's keys: " + ex.Message);
        }

        var leafData = opening.Entry.LeafData.ToByteArray();
        var leaf = MerkleHash.Leaf(leafData);
        var index = (long)opening.Proof.LeafIndex;
        if (opening.Proof.TreeSize != (ulong)checkpoint.Size
            || !MerkleVerifier.VerifyInclusion(index, checkpoint.Size, leaf, [.. opening.Proof.Hashes.Select(h => h.ToByteArray())],
                checkpoint.RootHash))
        {
            return new Outcome(false, $"entry {index} is not proven to be in the log of size {checkpoint.Size} under the signed checkpoint");
        }

        AuditEntry logged;
        try
        {
            logged = AuditEntry.Parser.ParseFrom(leafData);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            return new Outcome(false, "the entry's canonical bytes do not parse: " + ex.Message);
        }

        var salt = opening.Salt.ToByteArray();
        var commitment = SHA256.HashData([.. salt, .. body]);
        if (logged.BodyCommitment.Length == 0 || !logged.BodyCommitment.Span.SequenceEqual(commitment))
        {
            return new Outcome(false, $"entry {index} does not commit to this body: SHA-256(salt || body) is {Convert.ToHexStringLower(commitment)}, "
                + $"the entry holds {Convert.ToHexStringLower(logged.BodyCommitment.Span)}");
        }

        return new Outcome(true, $"entry {index} ({logged.Kind}, {logged.ExchangeId}) is in the log of size {checkpoint.Size} signed by "
            + $"{checkpoint.Origin}, and commits to exactly this {opening.BodyType} ({body.Length} bytes)");
    }
}
