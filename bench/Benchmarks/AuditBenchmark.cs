using System.Diagnostics;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Transparency;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>
/// Durable audit appends per second with group commit, against single write+fsync per entry on the
/// same disk, in one run; then proof generation on a tree of many leaves.
/// </summary>
internal static class AuditBenchmark
{
    public static async Task RunAsync(int seconds, int leaves)
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-audit-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var entry = new AuditEvent(AuditEventKind.Delivered, new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
                "attempt 1", "ex-01a2009813f77d7b8051bed5beaba15b", "SZ-2026-0001", new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
                new FreezeNotice { Reason = "benchmark body" });

            // Single fsyncs: one entry-sized write, then fsync, in a loop.
            var single = 0L;
            var payload = new byte[160];
            await using (var file = new FileStream(Path.Combine(dir, "single.log"), FileMode.Create, FileAccess.Write))
            {
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    file.Write(payload);
                    file.Flush(flushToDisk: true);
                    single++;
                }

                Report("single write+fsync per entry", single / watch.Elapsed.TotalSeconds);
            }

            // Group commit: 512 concurrent writers awaiting their receipts.
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await using (var log = new AuditLog(Path.Combine(dir, "log"), "bench", key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance))
            {
                var appended = 0L;
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, 512).Select(async _ =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await log.RecordAsync(entry, CancellationToken.None);
                        Interlocked.Increment(ref appended);
                    }
                }));
                Report("group commit, 512 concurrent appenders", appended / watch.Elapsed.TotalSeconds);
            }

            // Proofs on a big tree (leaf hashes only: what proof generation touches): held in memory, then in files as the hub keeps it.
            Proofs("in memory", new MerkleTree(), leaves, null);
            using var files = new AuditTreeFiles(Path.Combine(dir, "tree"));
            Proofs("in files (the hub's)", new MerkleTree(files), leaves, files);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Proofs(string name, MerkleTree tree, int leaves, AuditTreeFiles? files)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        var buffer = new byte[8];
        for (var i = 0; i < leaves; i++)
        {
            BitConverter.TryWriteBytes(buffer, (long)i);
            tree.Append(MerkleHash.Leaf(buffer));
            if (i % 1024 == 1023)
            {
                files?.Flush();
            }
        }

        files?.Flush();
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"tree {name} of {leaves:N0} leaves built in {build.Elapsed.TotalSeconds:F1} s; managed memory held {held / 1048576.0:N0} MiB");
        var size = tree.Size;
        var root = tree.Root(size);
        var random = new Random(42);
        const int proofs = 10_000;
        var watchProofs = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            var index = random.NextInt64(size);
            var proof = tree.InclusionProof(index, size);
            if (i == 0 && !MerkleVerifier.VerifyInclusion(index, size, tree.LeafHash(index), proof, root))
            {
                throw new InvalidOperationException("proof did not verify");
            }
        }

        Console.WriteLine($"  inclusion proof: {watchProofs.Elapsed.TotalMicroseconds / proofs:F1} µs each");
        var watchConsistency = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            tree.ConsistencyProof(1 + random.NextInt64(size - 1), size);
        }

        Console.WriteLine($"  consistency proof: {watchConsistency.Elapsed.TotalMicroseconds / proofs:F1} µs each");
        GC.KeepAlive(tree);
    }

    private static void Report(string what, double perSecond) => Console.WriteLine($"{what}: {perSecond:N0} appends/s");
}
