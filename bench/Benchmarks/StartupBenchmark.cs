using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>
/// How long the hub takes to start on a big history: seeds a store with EXCHANGES answered freeze notices and an audit log of ENTRIES
/// entries (signed with the dev key, as the hub's own), then starts the real hub on them twice: as shipped (the log opens from its saved
/// tree and is checked in the background) and with Hub:Audit:FullCheckBelowEntries above the log's size (read in full). Reports the time
/// from process start to listening, the hub's CPU and resident memory then, and when the background check ended.
/// </summary>
internal static class StartupBenchmark
{
    public static async Task RunAsync(long entries, int exchanges)
    {
        var dir = Directory.CreateTempSubdirectory("afx-startup-bench-").FullName;
        try
        {
            var db = Path.Combine(dir, "hub.db");
            await SeedStoreAsync(db, exchanges);
            await SeedAuditAsync(Path.Combine(dir, "audit"), entries);
            Console.WriteLine($"store {new FileInfo(db).Length / 1048576.0:N0} MiB; audit log {new FileInfo(Path.Combine(dir, "audit", "audit.log")).Length / 1048576.0:N0} MiB, "
                + $"history {new FileInfo(Path.Combine(dir, "audit", "audit.history")).Length / 1048576.0:N0} MiB");
            Console.WriteLine();
            Console.WriteLine("| start | to listening (s) | hub CPU then (s) | resident memory then (MiB) | background check (s) |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            await StartAsync("as shipped (saved tree)", db, []);
            await StartAsync("read in full", db, [$"--Hub:Audit:FullCheckBelowEntries={long.MaxValue}"]);
            await StartAsync("as shipped, again", db, []);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task StartAsync(string name, string db, string[] settings)
    {
        var started = Stopwatch.StartNew();
        using var hub = await HubProcess.StartAsync([$"--Hub:Store:Path={db}", .. settings]);
        var listening = started.Elapsed.TotalSeconds;
        var cpu = PurgeBenchmark.CpuMs(hub.Pid) / 1000;
        var rss = ProcessMemory.RssBytes(hub.Pid) / 1048576.0;
        string check = "-";
        for (var look = 0; look < 6000; look++)
        {
            if (hub.Log.Any(l => l.Contains("background check", StringComparison.Ordinal)))
            {
                check = started.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
                break;
            }

            if (hub.Log.Any(l => l.Contains("tree verified (read in full)", StringComparison.Ordinal)))
            {
                break;
            }

            await Task.Delay(100);
        }

        Console.WriteLine($"| {name} | {listening:F2} | {cpu:F2} | {rss:N0} | {check} |");
    }

    private static async Task SeedStoreAsync(string db, int exchanges)
    {
        var watch = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        await PurgeBenchmark.SeedAsync(db, exchanges, n => (n / 1_000_000, n % 1_000_000, now.AddSeconds(-n)),
            n => Console.WriteLine($"  {n:N0} exchanges stored ({watch.Elapsed.TotalSeconds:F0} s)"));
        Console.WriteLine($"seeded {exchanges:N0} answered exchanges in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task SeedAuditAsync(string directory, long entries)
    {
        var watch = Stopwatch.StartNew();
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(DevPki.CertsDir, "audit", "log-signing.key")));
        var entry = new AuditEvent(AuditEventKind.Delivered, new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
            "attempt 1", "ex-01a2009813f77d7b8051bed5beaba15b", "SZ-2026-0001", new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            new FreezeNotice { Reason = "benchmark body" });
        await using var log = new AuditLog(directory, "antifraud.exchange/dev-hub", key, new byte[32], TimeProvider.System, NullLogger<AuditLog>.Instance);
        var next = 0L;
        await Task.WhenAll(Enumerable.Range(0, 1024).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= entries)
            {
                await log.RecordAsync(entry, CancellationToken.None);
            }
        }));
        Console.WriteLine($"seeded {entries:N0} audit entries in {watch.Elapsed.TotalSeconds:F1} s ({entries / watch.Elapsed.TotalSeconds:N0}/s)");
    }
}
