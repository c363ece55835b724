using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>The log on real files: receipts and proofs, reopening, a torn final write, and tampering.</summary>
public sealed class AuditLogTests : IDisposable
{
    private const string Origin = "antifraud.exchange/test-hub";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "afx-audit-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private AuditLog Open() => new(_dir, Origin, _key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance);

    private static AuditEvent Event(int i) => new(AuditEventKind.Submitted, new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
        "entry-" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), "ex-" + i, "SZ-1", Body: new StopPaymentNotice { Reason = "victim 李小梅" });

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Receipts_ProveInclusion_AgainstASignedCheckpoint()
    {
        await using var log = Open();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => log.RecordAsync(Event(i), CancellationToken.None).AsTask()));
        var checkpoint = SignedCheckpoint.Verify(log.SignCheckpoint(), Origin, _key);

        Assert.Equal(100, checkpoint.Size);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), receipts.Select(r => r!.LeafIndex).Order());
        foreach (var receipt in receipts)
        {
            var (proof, leaf) = log.InclusionProof((long)receipt!.LeafIndex, checkpoint.Size);
            Assert.Equal(receipt.LeafHash.ToByteArray(), leaf);
            Assert.True(MerkleVerifier.VerifyInclusion((long)receipt.LeafIndex, checkpoint.Size, receipt.LeafHash.Span, proof, checkpoint.RootHash));
        }

        var entries = log.Read(0, 100).ToList();
        Assert.All(entries, e => Assert.Equal(32, e.BodyCommitment.Length));
        Assert.DoesNotContain(entries, e => e.ToByteString().ToStringUtf8().Contains("李小梅", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reopened_TheLogKeepsEveryEntry_AndProvesItGrewConsistently()
    {
        CheckpointBody first;
        await using (var log = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                await log.RecordAsync(Event(i), CancellationToken.None);
            }

            first = SignedCheckpoint.Verify(log.SignCheckpoint(), Origin, _key);
        }

        await using var reopened = Open();
        Assert.Equal(10, reopened.Size);
        await reopened.RecordAsync(Event(10), CancellationToken.None);
        var second = SignedCheckpoint.Verify(reopened.SignCheckpoint(), Origin, _key);
        Assert.True(MerkleVerifier.VerifyConsistency(first.Size, second.Size, first.RootHash, second.RootHash, reopened.ConsistencyProof(first.Size, second.Size)));
    }

    [Fact]
    public async Task TornFinalWrite_IsTruncated_AndTheLogStillVerifies()
    {
        await using (var log = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                await log.RecordAsync(Event(i), CancellationToken.None);
            }

            log.SignCheckpoint();
        }

        // A crash mid-append: a length prefix promising 300 bytes, and only 7 of them.
        await using (var file = new FileStream(Path.Combine(_dir, "audit.log"), FileMode.Append))
        {
            file.Write([0, 0, 1, 44, 1, 2, 3, 4, 5, 6, 7]);
        }

        var before = new FileInfo(Path.Combine(_dir, "audit.log")).Length;
        await using var reopened = Open();
        Assert.Equal(5, reopened.Size);
        Assert.Equal(before - 11, new FileInfo(Path.Combine(_dir, "audit.log")).Length);
        await reopened.RecordAsync(Event(5), CancellationToken.None);
        Assert.Equal(6, reopened.Size);
    }

    [Fact]
    public async Task AlteredEntry_IsDetectedOnReopen()
    {
        await using (var log = Open())
        {
            for (var i = 0; i < 8; i++)
            {
                await log.RecordAsync(Event(i), CancellationToken.None);
            }

            log.SignCheckpoint();
        }

        var path = Path.Combine(_dir, "audit.log");
        var bytes = await File.ReadAllBytesAsync(path);
        var at = IndexOf(bytes, "entry-0003"u8.ToArray());
        bytes[at + 9] = (byte)'7'; // entry-0003 now claims to be entry-0007: same length, valid protobuf
        await File.WriteAllBytesAsync(path, bytes);

        var ex = Assert.Throws<AuditLogDamagedException>(() => Open());
        Assert.Contains("entry 3 at byte", ex.Message, StringComparison.Ordinal);
        Assert.Contains("differs from the entry that was receipted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovedEntries_CoveredByACheckpoint_AreDetectedOnReopen()
    {
        long cut;
        await using (var log = Open())
        {
            for (var i = 0; i < 6; i++)
            {
                await log.RecordAsync(Event(i), CancellationToken.None);
            }

            log.SignCheckpoint();
            cut = new FileInfo(Path.Combine(_dir, "audit.log")).Length - 40;
        }

        // Cutting into the last entry looks like a torn write, but the checkpoint says 6 entries were acknowledged.
        await using (var file = new FileStream(Path.Combine(_dir, "audit.log"), FileMode.Open))
        {
            file.SetLength(cut);
        }

        var ex = Assert.Throws<AuditLogDamagedException>(() => Open());
        Assert.Contains("were receipted", ex.Message, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("not found");
    }
}
