using System.Collections.Concurrent;
using System.Diagnostics;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Screening;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>
/// `screening [SECONDS] [ENTRIES]`: list screening's costs on this machine. The primitives (one core): the hub's evaluation
/// of a blinded element, a partner's blind + finalise, a local match against a set of ENTRIES outputs. Then against a real hub
/// process (SQLite): ENTRIES account entries published, a bank screening first-seen payees online (one Evaluate call each)
/// as fast as 16 concurrent callers can, then at half that rate for p50/p99, and cached payees (local, no call).
/// </summary>
internal static class ScreeningBenchmark
{
    public static async Task RunAsync(int seconds, int entries)
    {
        var key = Oprf.NewKey();
        Console.WriteLine($"list screening, {seconds} s per measurement, {entries:N0} entries, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        var blinded = Oprf.Blind(ListKind.Account, "bank-beta:6222990000007777").Blinded;
        Report("hub: evaluate one blinded element", seconds, () => Oprf.Evaluate(key, blinded));
        var i = 0;
        Report("partner: blind + finalise one value", seconds, () =>
        {
            var value = $"bank-x:62220000{i++ % 1_000_000:D8}";
            var (r, b) = Oprf.Blind(ListKind.Account, value);
            return Oprf.Finalize(ListKind.Account, value, r, Oprf.Evaluate(key, b));
        }, note: "(includes one evaluation)");

        var set = new Dictionary<string, byte[]>(entries, StringComparer.Ordinal);
        var outputs = new List<byte[]>(entries);
        for (var n = 0; n < entries; n++)
        {
            var output = Oprf.Direct(key, ListKind.Account, $"bank-y:62220000{n:D8}");
            outputs.Add(output);
            set[Convert.ToHexString(output)] = output;
        }

        var j = 0;
        Report("partner: local match of a cached output", seconds, () => set.ContainsKey(Convert.ToHexString(outputs[j++ % outputs.Count])));

        await OnlineAsync(seconds, entries);
    }

    private static void Report(string what, int seconds, Func<object> op, string note = "")
    {
        for (var w = 0; w < 200; w++)
        {
            op();
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var k = 0; k < 100; k++)
            {
                op();
            }

            count += 100;
        }

        var used = Environment.CpuUsage.TotalTime - cpu;
        Console.WriteLine($"| {what} {note} | {count / clock.Elapsed.TotalSeconds:N0}/s | {used.TotalMicroseconds / count:N1} µs CPU |");
    }

    private static async Task OnlineAsync(int seconds, int entries)
    {
        var dir = Directory.CreateTempSubdirectory("afx-screen-bench-").FullName;
        using var hub = await HubProcess.StartAsync($"--Hub:Store:Path={dir}/hub.db", "--Hub:Lists:EvaluationsPerMinute=100000000");
        using var police = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
        using var bank = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("bank-alpha"));
        var publisher = new RiskListsClient(police);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < entries; n += 5000)
        {
            var batch = new PublishEntriesRequest { IdempotencyKey = "bench-" + n };
            batch.Add.AddRange(Enumerable.Range(n, Math.Min(5000, entries - n)).Select(k => new ListEntry
            {
                Kind = ListKind.Account,
                Value = $"bank-y:62220000{k:D8}",
                Case = new CaseRef { CaseNumber = "SZ-BENCH", LegalBasis = LegalBasis.CriminalInvestigation },
                Confidence = 0.9,
                ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
            }));
            await publisher.PublishAsync(batch);
        }

        Console.WriteLine($"published {entries:N0} entries in {clock.Elapsed.TotalSeconds:F1} s");
        var screener = new Screener(new RiskListsClient(bank), ListKind.Account);
        clock.Restart();
        await screener.SyncAsync();
        Console.WriteLine($"a partner's first sync of the whole set: {screener.Count:N0} entries in {clock.Elapsed.TotalMilliseconds:F0} ms");

        var next = 0;
        var (max, _, _) = await LoadAsync(screener, seconds, 16, 0, () => Interlocked.Increment(ref next));
        Console.WriteLine($"online screening of first-seen values, 16 concurrent: {max:N0}/s");
        var (rate, p50, p99) = await LoadAsync(screener, seconds, 16, max / 2, () => Interlocked.Increment(ref next));
        Console.WriteLine($"at half that rate ({rate:N0}/s): first-seen value p50 {p50:F2} ms, p99 {p99:F2} ms");

        var cached = new List<double>();
        for (var n = 0; n < 100_000; n++)
        {
            var at = Stopwatch.GetTimestamp();
            screener.ScreenCached($"bank-z:62220000{(n % 1000) + 1:D8}");
            cached.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
        }

        cached.Sort();
        Console.WriteLine($"cached value (local match): p99 {cached[(int)(cached.Count * 0.99)] * 1000:F1} µs");
    }

    private static async Task<(double Rate, double P50, double P99)> LoadAsync(Screener screener, int seconds, int concurrency, double rate,
        Func<int> next)
    {
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var interval = rate > 0 ? TimeSpan.FromSeconds(concurrency / rate) : TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var due = Stopwatch.GetTimestamp();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                if (interval > TimeSpan.Zero)
                {
                    due += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                }

                var at = Stopwatch.GetTimestamp();
                await screener.ScreenAsync($"bank-z:62220000{next():D8}");
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        })));
        var sorted = latencies.Order().ToList();
        return (sorted.Count / clock.Elapsed.TotalSeconds, sorted[sorted.Count / 2], sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]);
    }
}
