using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Transparency;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>
/// The audit tree lives on disk, not in memory. A log opened from its saved tree reads only the entries after it, checks the signed
/// checkpoints against the tree, and checks the older entries in the background: an entry or a tree node altered while the hub was down
/// is still found, and a saved tree that does not match the log is ignored (the log is read in full).
/// </summary>
public sealed class AuditTreeTests : IDisposable
{
    private const string Origin = "antifraud.exchange/test-hub";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "afx-tree-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private string TreeDir => Path.Combine(_dir, "tree");

    /// <summary>Opens from the saved tree whenever there is one (the hub's default does so only for logs of a million entries).</summary>
    private AuditLog Open(string? directory = null) =>
        new(directory ?? _dir, Origin, _key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance, fullCheckBelow: 1);

    private static AuditEvent Event(int i) => new(AuditEventKind.Submitted, new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
        "submitted", "ex-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "SZ-1");

    public void Dispose()
    {
        _key.Dispose();
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), Path.GetFileName(_dir) + "*"))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<List<Receipt>> AppendAsync(AuditLog log, int from, int count)
    {
        var receipts = new List<Receipt>();
        for (var i = from; i < from + count; i += 50)
        {
            var batch = await Task.WhenAll(Enumerable.Range(i, Math.Min(50, from + count - i))
                .Select(n => log.RecordAsync(Event(n), CancellationToken.None).AsTask()));
            receipts.AddRange(batch.Select(r => r!));
        }

        return receipts;
    }

    private async Task<List<Receipt>> WriteAsync(int count)
    {
        await using var log = Open();
        return await AppendAsync(log, 0, count);
    }

    private static void AssertEveryReceiptProves(AuditLog log, IEnumerable<Receipt> receipts, ECDsa key)
    {
        var checkpoint = SignedCheckpoint.Verify(log.SignCheckpoint(), Origin, key);
        foreach (var receipt in receipts)
        {
            var (proof, leaf) = log.InclusionProof((long)receipt.LeafIndex, checkpoint.Size);
            Assert.Equal(receipt.LeafHash.ToByteArray(), leaf);
            Assert.True(MerkleVerifier.VerifyInclusion((long)receipt.LeafIndex, checkpoint.Size, receipt.LeafHash.Span, proof, checkpoint.RootHash),
                $"receipt {receipt.LeafIndex}");
        }
    }

    private long EntryOffset(int index) => AuditLogFiles.EntryOffsets(Path.Combine(_dir, "audit.log"))[index];

    /// <summary>A crash after the tree was saved: the files hold more than the state says, and the entries after it are read again.</summary>
    [Fact]
    public async Task QuickOpen_ReadsTheEntriesAfterTheSavedTree_AndEveryReceiptStillProves()
    {
        var receipts = await WriteAsync(300);
        Assert.Equal(300 * 32, new FileInfo(Path.Combine(TreeDir, "level-00")).Length);
        Assert.Equal(150 * 32, new FileInfo(Path.Combine(TreeDir, "level-01")).Length);
        var crashed = _dir + "-crashed";
        await using (var log = Open())
        {
            Assert.Equal(300, log.OpenedFrom?.Size);
            Assert.Equal(300, log.Size);
            receipts.AddRange(await AppendAsync(log, 300, 120));

            // What a killed hub leaves: the log and history synced to 420 entries, the tree files written past the state they last saved.
            CopyDirectory(_dir, crashed);
            Assert.Contains("size 300\n", File.ReadAllText(Path.Combine(crashed, "tree", "state")), StringComparison.Ordinal);
        }

        await using var reopened = Open(crashed);
        Assert.Equal(300, reopened.OpenedFrom?.Size);
        Assert.Equal(420, reopened.Size);
        await reopened.TreeChecked;
        Assert.Null(reopened.Damage);
        AssertEveryReceiptProves(reopened, receipts, _key);
        Assert.Equal(420, reopened.Read(0, 420).Count());
        Assert.Equal("ex-000419", reopened.Read(419, 420).Single().ExchangeId);
    }

    /// <summary>An entry edited in place while the hub was down: a full open refuses; a quick open finds it in the background and names
    /// it, and the hub reports itself unhealthy on it.</summary>
    [Fact]
    public async Task EntryEditedBeforeTheSavedTree_IsFoundByTheBackgroundCheck_NamingIt()
    {
        await WriteAsync(300);
        var offset = EntryOffset(5);
        var log = File.ReadAllBytes(Path.Combine(_dir, "audit.log"));
        var at = log.AsSpan((int)offset).IndexOf("ex-000005"u8);
        Encoding.ASCII.GetBytes("ex-000009").CopyTo(log, (int)offset + at);
        File.WriteAllBytes(Path.Combine(_dir, "audit.log"), log);

        await using (var quick = Open())
        {
            Assert.Equal(300, quick.OpenedFrom?.Size);
            await quick.TreeChecked;
            Assert.Contains($"entry 5 at byte {offset} does not hash to its leaf", quick.Damage, StringComparison.Ordinal);
        }

        var refused = Assert.ThrowsAny<IOException>(() =>
            new AuditLog(_dir, Origin, _key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance));
        Assert.Contains($"entry 5 at byte {offset} differs", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A node inside the tree file altered (one the root does not read directly): the background check names it.</summary>
    [Fact]
    public async Task TreeNodeAltered_IsFoundByTheBackgroundCheck()
    {
        await WriteAsync(300);
        using (var level = new FileStream(Path.Combine(TreeDir, "level-01"), FileMode.Open))
        {
            level.Position = (3 * 32) + 7;
            var b = level.ReadByte();
            level.Position--;
            level.WriteByte((byte)(b ^ 1));
        }

        await using var log = Open();
        Assert.Equal(300, log.OpenedFrom?.Size);
        await log.TreeChecked;
        Assert.Contains("node 3 at level 1", log.Damage, StringComparison.Ordinal);
    }

    /// <summary>A saved tree that does not lead to this log (another log's, or damaged) is ignored: the log is read in full and proves.</summary>
    [Theory]
    [InlineData("root")]
    [InlineData("level file missing")]
    [InlineData("state garbled")]
    public async Task SavedTreeThatDoesNotMatch_IsIgnored_AndTheLogIsReadInFull(string damage)
    {
        var receipts = await WriteAsync(300);
        var state = Path.Combine(TreeDir, "state");
        switch (damage)
        {
            case "root":
                File.WriteAllText(state, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(state), "root [0-9a-f]+", "root " + new string('0', 64)));
                break;
            case "level file missing":
                File.Delete(Path.Combine(TreeDir, "level-02"));
                break;
            default:
                File.WriteAllText(state, "afx-audit-tree-state v1\nsize lots\n");
                break;
        }

        await using var log = Open();
        Assert.Null(log.OpenedFrom);
        Assert.Equal(300, log.Size);
        AssertEveryReceiptProves(log, receipts, _key);
    }

    /// <summary>The file-backed tree gives the same roots and proofs as the in-memory one, whenever it was flushed or cut back.</summary>
    [Fact]
    public void FileBackedTree_MatchesTheMemoryTree_ThroughFlushesAndCuts()
    {
        using var files = new AuditTreeFiles(TreeDir);
        var onDisk = new MerkleTree(files);
        var inMemory = new MerkleTree();
        var random = new Random(7);
        var cut = false;
        for (var i = 0; i < 150; i++)
        {
            var leaf = MerkleHash.Leaf(BitConverter.GetBytes(i));
            onDisk.Append(leaf);
            inMemory.Append(leaf);
            if (random.Next(4) == 0)
            {
                files.Flush();
            }

            if (i == 90 && !cut)
            {
                cut = true;
                files.Flush();
                onDisk.Truncate(61);
                inMemory.Truncate(61);
                i = 60;
            }
        }

        files.Flush();
        for (var size = 1; size <= 150; size++)
        {
            Assert.Equal(inMemory.Root(size), onDisk.Root(size));
            var index = random.Next(size);
            Assert.Equal(inMemory.InclusionProof(index, size), onDisk.InclusionProof(index, size));
            Assert.Equal(inMemory.ConsistencyProof(index + 1, size), onDisk.ConsistencyProof(index + 1, size));
        }
    }

    [Fact]
    public void RecordFile_ReadsAcrossWhatIsWrittenAndWhatIsInMemory_AndReopensAtItsLength()
    {
        var path = Path.Combine(_dir, "records");
        Directory.CreateDirectory(_dir);
        using (var file = new RecordFile(path, 8))
        {
            for (long i = 0; i < 100; i++)
            {
                file.Append(BitConverter.GetBytes(i));
                if (i == 36)
                {
                    file.Flush();
                }
            }

            var all = new byte[100 * 8];
            file.Read(0, all);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Enumerable.Range(0, 100).Select(i => BitConverter.ToInt64(all, i * 8)));
            file.Flush();
            file.Truncate(50);
            file.Append(BitConverter.GetBytes(500L));
            var two = new byte[16];
            file.Read(49, two);
            Assert.Equal(49, BitConverter.ToInt64(two, 0));
            Assert.Equal(500, BitConverter.ToInt64(two, 8));
            Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(50, new byte[16]));
        }

        using var reopened = new RecordFile(path, 8);
        Assert.Equal(51, reopened.Count);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
