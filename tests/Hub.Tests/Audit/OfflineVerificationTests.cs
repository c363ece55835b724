using System.Buffers.Binary;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Transparency;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>
/// The offline verifier against a real log file the hub wrote, and copies of it that someone edited,
/// cut, reordered, or paired with a forged checkpoint. Each is caught and located.
/// </summary>
public sealed class OfflineVerificationTests : IAsyncLifetime
{
    private const string Origin = "antifraud.exchange/test-hub";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "afx-verify-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private byte[] _segment = [];
    private byte[] _history = [];
    private readonly List<string> _checkpoints = [];
    private readonly Dictionary<long, byte[]> _receipts = [];

    public async Task InitializeAsync()
    {
        await using var log = new AuditLog(_dir, Origin, _key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance);
        for (var i = 0; i < 40; i++)
        {
            var receipt = await log.RecordAsync(new AuditEvent(AuditEventKind.Delivered, new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
                "attempt " + (i % 10), "ex-" + i, "SZ-V"), CancellationToken.None);
            _receipts[(long)receipt!.LeafIndex] = receipt.LeafHash.ToByteArray();
            if (i % 10 == 9)
            {
                _checkpoints.Add(log.SignCheckpoint());
            }
        }

        _segment = await File.ReadAllBytesAsync(Path.Combine(_dir, "audit.log"));
        _history = await File.ReadAllBytesAsync(Path.Combine(_dir, "audit.history"));
    }

    public Task DisposeAsync()
    {
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private VerificationReport Verify(byte[] segment, IEnumerable<string>? checkpoints = null, bool receipts = false) =>
        SegmentVerifier.Verify(segment, checkpoints ?? _checkpoints, Origin, [_key], receipts ? _receipts : null);

    [Fact]
    public void UntouchedSegment_Verifies()
    {
        var report = Verify(_segment);
        Assert.True(report.Valid, report.ToString());
        Assert.Equal(40, report.Entries);
    }

    [Fact]
    public void EditedEntry_IsCaught_BoundedByCheckpoints_AndPinnedByReceipts()
    {
        var edited = (byte[])_segment.Clone();
        var (offset, _) = Entries(edited)[23];
        var at = IndexOf(edited, offset, "attempt 3"u8.ToArray());
        edited[at + 8] = (byte)'9';

        var bounded = Verify(edited);
        Assert.False(bounded.Valid);
        Assert.Contains("an entry in 20..29 was edited", bounded.Message, StringComparison.Ordinal);

        var pinned = Verify(edited, receipts: true);
        Assert.False(pinned.Valid);
        Assert.Equal(23, pinned.Index);
    }

    /// <summary>With only the log's own files (log and history) and the public key, an edit is named to its entry.</summary>
    [Fact]
    public void EditedEntry_IsPinnedToItsEntry_ByTheSignedHistory()
    {
        var edited = (byte[])_segment.Clone();
        var (offset, _) = Entries(edited)[23];
        var at = IndexOf(edited, offset, "attempt 3"u8.ToArray());
        edited[at + 8] = (byte)'9';

        var report = SegmentVerifier.Verify(edited, [], Origin, [_key], history: _history);

        Assert.False(report.Valid);
        Assert.Equal(23, report.Index);
        Assert.Contains("entry 23", report.Message, StringComparison.Ordinal);
        Assert.True(SegmentVerifier.Verify(_segment, [], Origin, [_key], history: _history).Valid);
    }

    /// <summary>Editing the history's leaf hashes to match an edited entry is caught: the record's signature no longer covers them.</summary>
    [Fact]
    public void HistoryAlteredToMatchAnEdit_IsCaught()
    {
        var history = (byte[])_history.Clone();
        var reading = LogHistory.Read(history);
        var record = reading.Records[0];
        var leaves = record.Leaves.ToList();
        leaves[0] = MerkleHash.Leaf([1, 2, 3]);
        var forged = LogHistory.Encode(record with { Leaves = leaves });
        var rest = history.AsSpan(LogHistory.Encode(record).Length).ToArray();

        var report = SegmentVerifier.Verify(_segment, [], Origin, [_key], history: [.. forged, .. rest]);

        Assert.False(report.Valid);
        Assert.Contains("altered", report.Message, StringComparison.Ordinal);
        Assert.Equal(0, report.Index);
    }

    [Fact]
    public void RemovedEntry_IsCaughtAtItsIndex()
    {
        var entries = Entries(_segment);
        var (offset, length) = entries[17];
        var removed = _segment[..offset].Concat(_segment[(offset + length)..]).ToArray();

        var report = Verify(removed);
        Assert.False(report.Valid);
        Assert.Equal(17, report.Index);
        Assert.Contains("entries 17..17 were removed", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReorderedEntries_AreCaughtAtTheFirstOutOfPlace()
    {
        var entries = Entries(_segment);
        var parts = entries.Select(e => _segment[e.Offset..(e.Offset + e.Length)]).ToList();
        (parts[30], parts[31]) = (parts[31], parts[30]);

        var report = Verify([.. parts.SelectMany(p => p)]);
        Assert.False(report.Valid);
        Assert.Equal(30, report.Index);
    }

    [Fact]
    public void TruncatedTail_CoveredByACheckpoint_IsReportedAsRemoved()
    {
        var entries = Entries(_segment);
        var report = Verify(_segment[..entries[35].Offset]);
        Assert.False(report.Valid);
        Assert.Equal(35, report.Index);
    }

    [Fact]
    public void ForgedCheckpoint_IsRejected()
    {
        var forged = _checkpoints[^1].Replace("\n40\n", "\n39\n", StringComparison.Ordinal);
        var report = Verify(_segment, [forged]);
        Assert.False(report.Valid);
        Assert.Contains("forged or altered", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_VerifySegment_ExitsZeroOnTheRealLog_AndOneOnAnEditedCopy()
    {
        var pub = Path.Combine(_dir, "key.pub");
        await File.WriteAllTextAsync(pub, _key.ExportSubjectPublicKeyInfoPem());
        var checkpoint = Path.Combine(_dir, "cp.txt");
        await File.WriteAllTextAsync(checkpoint, _checkpoints[^1]);
        var edited = Path.Combine(_dir, "edited.log");
        var bytes = (byte[])_segment.Clone();
        bytes[Entries(bytes)[5].Offset + 10] ^= 0x01;
        await File.WriteAllBytesAsync(edited, bytes);

        Assert.Equal(0, await Afx("audit", "verify-segment", "--log", Path.Combine(_dir, "audit.log"), "--checkpoint", checkpoint, "--log-key", pub, "--origin", Origin));
        Assert.Equal(1, await Afx("audit", "verify-segment", "--log", edited, "--checkpoint", checkpoint, "--log-key", pub, "--origin", Origin));
        Assert.Equal(1, await Afx("audit", "verify-segment", "--log", edited, "--history", Path.Combine(_dir, "audit.history"), "--log-key", pub, "--origin", Origin));
    }

    [Fact]
    public async Task Cli_Evidence_ShowsFromTheLogAloneWhetherTheAnswerBeatTheDeadline()
    {
        var dir = Path.Combine(_dir, "evidence");
        var clock = new TestSupport.ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));
        await using (var log = new AuditLog(dir, Origin, _key, new byte[32], clock, NullLogger<AuditLog>.Instance))
        {
            var police = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" };
            var bank = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" };
            await log.RecordAsync(new AuditEvent(AuditEventKind.Submitted, police, "freeze notice; deadline 2026-11-21T11:00:00.0000000+00:00", "ex-late", "SZ-E"), CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(3));
            await log.RecordAsync(new AuditEvent(AuditEventKind.Delivered, police, "attempt 1", "ex-late", "SZ-E", bank), CancellationToken.None);
            clock.Advance(TimeSpan.FromHours(2));
            await log.RecordAsync(new AuditEvent(AuditEventKind.Answered, bank, "answered", "ex-late", "SZ-E", police), CancellationToken.None);
        }

        var (code, output) = await AfxOutput("audit", "evidence", "--log", Path.Combine(dir, "audit.log"), "--exchange", "ex-late");
        Assert.Equal(0, code);
        Assert.Contains("Delivered", output, StringComparison.Ordinal);
        Assert.Contains("answered LATE, 0:03:00 after it", output, StringComparison.Ordinal);
    }

    private static async Task<int> Afx(params string[] args) => (await AfxOutput(args)).Code;

    private static async Task<(int Code, string Output)> AfxOutput(params string[] args)
    {
        var dll = TestSupport.DevPki.BuiltDll("src/Clients", "afx.dll");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private static List<(int Offset, int Length)> Entries(byte[] segment)
    {
        var list = new List<(int, int)>();
        for (var p = 0; p + 4 <= segment.Length;)
        {
            var length = 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(p));
            list.Add((p, length));
            p += length;
        }

        return list;
    }

    private static int IndexOf(byte[] haystack, int from, byte[] needle)
    {
        for (var i = from; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("not found");
    }
}
