using System.Buffers.Binary;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Transparency;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>
/// Recovery may cut only a torn tail: the final entry, with fewer bytes than it claims. Anything else
/// (a flipped bit, an edited entry, receipted entries missing) refuses to open, says where, and leaves
/// every file exactly as it found it.
/// </summary>
public sealed class AuditRecoveryTests : IDisposable
{
    private const string Origin = "antifraud.exchange/test-hub";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "afx-recover-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private string LogPath => Path.Combine(_dir, "audit.log");

    private AuditLog Open() => new(_dir, Origin, _key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance);

    private static AuditEvent Event(int i) => new(AuditEventKind.Submitted, new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
        "submitted", "ex-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "SZ-1");

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Writes <paramref name="count"/> receipted entries in batches, signing a checkpoint after <paramref name="checkpointAt"/>.</summary>
    private async Task<List<Receipt>> WriteAsync(int count, int checkpointAt)
    {
        var receipts = new List<Receipt>();
        await using var log = Open();
        for (var i = 0; i < count; i += 50)
        {
            var batch = await Task.WhenAll(Enumerable.Range(i, Math.Min(50, count - i)).Select(n => log.RecordAsync(Event(n), CancellationToken.None).AsTask()));
            receipts.AddRange(batch.Select(r => r!));
            if (i + 50 == checkpointAt)
            {
                log.SignCheckpoint();
            }
        }

        return receipts;
    }

    /// <summary>Byte offsets of every entry's length prefix.</summary>
    private List<long> Offsets() => AuditLogFiles.EntryOffsets(LogPath);

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(_dir).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    /// <summary>Opening is refused with a message holding each of <paramref name="expected"/>, and no file changed.</summary>
    private void AssertRefusedUnchanged(params string[] expected)
    {
        var before = Snapshot();
        var ex = Assert.ThrowsAny<Exception>(() => Open());
        foreach (var text in expected)
        {
            Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        }

        AssertUnchanged(before);
    }

    private void AssertUnchanged(Dictionary<string, byte[]> before)
    {
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} was changed by a refused recovery");
        }
    }

    [Fact]
    public async Task FlippedBitInALengthPrefix_MidLog_RefusesToOpen_NamesTheEntry_AndChangesNothing()
    {
        await WriteAsync(1000, checkpointAt: 1000);
        var offset = Offsets()[500];
        var bytes = File.ReadAllBytes(LogPath);
        bytes[offset] ^= 0x40;
        File.WriteAllBytes(LogPath, bytes);

        AssertRefusedUnchanged("entry 500", $"byte {offset}");
    }

    /// <summary>The damage is after the last signed checkpoint, among entries that were receipted: still refused.</summary>
    [Fact]
    public async Task FlippedBitInALengthPrefix_AfterTheLastCheckpoint_RefusesToOpen_AndChangesNothing()
    {
        await WriteAsync(1000, checkpointAt: 500);
        var offset = Offsets()[985];
        var bytes = File.ReadAllBytes(LogPath);
        bytes[offset + 1] ^= 0x01;
        File.WriteAllBytes(LogPath, bytes);

        AssertRefusedUnchanged("entry 985");
    }

    [Fact]
    public async Task EntryEditedInPlace_AfterTheLastCheckpoint_RefusesToOpen_NamingIt()
    {
        await WriteAsync(1000, checkpointAt: 500);
        var offset = Offsets()[700];
        var bytes = File.ReadAllBytes(LogPath);
        // The entry's exchange id "ex-000700" becomes "ex-000701": same length, still a valid entry.
        var text = System.Text.Encoding.ASCII.GetBytes("ex-000700");
        var at = bytes.AsSpan((int)offset).IndexOf(text);
        Assert.True(at > 0);
        bytes[offset + at + text.Length - 1] = (byte)'1';
        File.WriteAllBytes(LogPath, bytes);

        AssertRefusedUnchanged("entry 700");
    }

    [Fact]
    public async Task ReceiptedEntriesMissingAtTheEnd_RefusesToOpen()
    {
        await WriteAsync(1000, checkpointAt: 500);
        var offset = Offsets()[990];
        using (var file = new FileStream(LogPath, FileMode.Open))
        {
            file.SetLength(offset);
        }

        AssertRefusedUnchanged("990");
    }

    /// <summary>A crash mid-append leaves a final entry shorter than it claims: only that entry is cut, and every receipt still proves.</summary>
    [Fact]
    public async Task TornFinalEntry_IsCut_AndEveryReceiptStillProves()
    {
        var receipts = await WriteAsync(300, checkpointAt: 300);
        var length = new FileInfo(LogPath).Length;
        using (var file = new FileStream(LogPath, FileMode.Append))
        {
            var header = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(header, 180);
            file.Write(header);
            file.Write(new byte[70]);
        }

        await using var log = Open();

        Assert.Equal(300, log.Size);
        Assert.Equal(length, new FileInfo(LogPath).Length);
        var checkpoint = SignedCheckpoint.Verify(log.SignCheckpoint(), Origin, _key);
        foreach (var receipt in receipts)
        {
            var (proof, _) = log.InclusionProof((long)receipt.LeafIndex, checkpoint.Size);
            Assert.True(MerkleVerifier.VerifyInclusion((long)receipt.LeafIndex, checkpoint.Size, receipt.LeafHash.Span, proof, checkpoint.RootHash));
        }
    }

    /// <summary>A log written before the history existed opens, and its entries are sealed into a new history.</summary>
    [Fact]
    public async Task LogWithoutHistory_OpensAndIsSealed()
    {
        await WriteAsync(200, checkpointAt: 200);
        File.Delete(Path.Combine(_dir, "audit.history"));

        await using (var log = Open())
        {
            Assert.Equal(200, log.Size);
        }

        Assert.True(new FileInfo(Path.Combine(_dir, "audit.history")).Length > 200 * 32);
        await using var reopened = Open();
        Assert.Equal(200, reopened.Size);
    }

    [Fact]
    public async Task DamagedHistoryRecord_RefusesToOpen_AndChangesNothing()
    {
        await WriteAsync(500, checkpointAt: 500);
        var history = Path.Combine(_dir, "audit.history");
        var bytes = File.ReadAllBytes(history);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(history, bytes);

        AssertRefusedUnchanged("audit.history");
    }

    /// <summary>A crash after the log was synced but before its history record: the complete entries are kept and sealed.</summary>
    [Fact]
    public async Task CompleteEntriesWithoutTheirHistoryRecord_AreKeptAndSealed()
    {
        await WriteAsync(100, checkpointAt: 100);
        var history = Path.Combine(_dir, "audit.history");
        var length = new FileInfo(history).Length;
        await using (var log = Open())
        {
            await log.RecordAsync(Event(100), CancellationToken.None);
        }

        using (var file = new FileStream(history, FileMode.Open))
        {
            file.SetLength(length + 10);
        }

        await using var reopened = Open();
        Assert.Equal(101, reopened.Size);
    }
}
