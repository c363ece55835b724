using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>
/// Does purging a year of history stall the hub? Seeds a store with PER_DAY answered freeze notices a day for 365 days (sealed, with
/// their events), starts the real hub on it with the shipped retention policy (180 days), and keeps live submissions going (a closed
/// loop of CONCURRENCY callers) while the hub's first purge pass erases everything older than 180 days. Reports the pass (records,
/// time, hub CPU) and the live submit latency and rate in the 20 s before the pass, during it, and after it.
/// </summary>
internal static partial class PurgeBenchmark
{
    public static async Task RunAsync(int perDay, int concurrency)
    {
        var dir = Directory.CreateTempSubdirectory("afx-purge-bench-").FullName;
        var db = Path.Combine(dir, "hub.db");
        var now = DateTimeOffset.UtcNow;
        var seeding = Stopwatch.StartNew();
        await SeedAsync(db, 365 * perDay, n => (n / perDay, n % perDay, now.AddDays(-365 + (n / perDay)).AddSeconds(n % perDay * 86_400.0 / perDay)),
            null);

        var total = 365 * perDay;
        Console.WriteLine($"seeded {total:N0} answered exchanges over 365 days in {seeding.Elapsed.TotalSeconds:F1} s; store {new FileInfo(db).Length / 1048576.0:F0} MiB");
        using var hub = await HubProcess.StartAsync($"--Hub:Store:Path={db}");
        using var channel = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("police-shenzhen"));
        var samples = new ConcurrentQueue<(long At, double Ms)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var client = new ExchangeClient(channel);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await client.SubmitAsync(Live(w, n));
                samples.Enqueue((t0, Stopwatch.GetElapsedTime(t0).TotalMilliseconds));
            }
        })).ToList();

        // The purger's first pass starts about a minute after start-up; look for its log line (bounded by count).
        Match? done = null;
        var cpuBefore = (Ms: 0.0, At: 0L);
        for (var look = 0; look < 3000 && done is null; look++)
        {
            await Task.Delay(100);
            if (look == 400)
            {
                cpuBefore = (CpuMs(hub.Pid), Stopwatch.GetTimestamp());
            }

            done = hub.Log.Select(l => PurgedLine().Match(l)).FirstOrDefault(m => m.Success);
        }

        var end = Stopwatch.GetTimestamp();
        var cpuAtEnd = CpuMs(hub.Pid);
        if (done is null)
        {
            throw new InvalidOperationException("the hub did not purge within 5 minutes:\n" + string.Join('\n', hub.Log.TakeLast(20)));
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await Task.WhenAll(workers);

        var erased = int.Parse(done.Groups["n"].Value, CultureInfo.InvariantCulture);
        var took = TimeSpan.FromMilliseconds(long.Parse(done.Groups["ms"].Value, CultureInfo.InvariantCulture));
        var start = end - (long)(took.TotalSeconds * Stopwatch.Frequency);
        var window = Stopwatch.GetElapsedTime(cpuBefore.At, end).TotalSeconds;
        Console.WriteLine($"purge pass: {erased:N0} exchanges erased in {took.TotalSeconds:F1} s ({erased / Math.Max(took.TotalSeconds, 0.001):N0}/s); "
            + $"hub CPU over the last {window:F0} s up to its end: {(cpuAtEnd - cpuBefore.Ms) / 1000 / window:F2} cores");
        Console.WriteLine();
        Console.WriteLine($"| live submits ({concurrency} callers) | submits/s | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var all = samples.ToArray();
        Row("20 s before the pass", all, start - 20 * Stopwatch.Frequency, start);
        Row("during the pass", all, start, end);
        Row("after the pass", all, end, long.MaxValue);
    }

    private static void Row(string name, (long At, double Ms)[] all, long from, long to)
    {
        var inside = all.Where(s => s.At >= from && s.At < to).Select(s => s.Ms).Order().ToArray();
        var last = inside.Length == 0 ? 0 : all.Where(s => s.At >= from && s.At < to).Max(s => s.At);
        var seconds = Math.Max((Math.Min(to, last) - from) / (double)Stopwatch.Frequency, 0.001);
        Console.WriteLine(inside.Length == 0 ? $"| {name} | 0 | - | - | - |"
            : $"| {name} | {inside.Length / seconds:N0} | {inside[inside.Length / 2]:F1} | {inside[(int)(inside.Length * 0.99)]:F1} | {inside[^1]:F1} |");
    }

    internal static double CpuMs(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000.0 / 100;
    }

    [GeneratedRegex(@"Retention purge erased the personal data of (?<n>\d+) exchanges.* in (?<ms>\d+) ms")]
    private static partial Regex PurgedLine();

    /// <summary>Stores <paramref name="count"/> answered freeze notices (sealed under the dev master key, with their events), the n-th
    /// as <see cref="Answered"/> of (day, i, submitted) from <paramref name="of"/>; <paramref name="progress"/> hears every 250,000.</summary>
    internal static async Task SeedAsync(string db, int count, Func<int, (int Day, int I, DateTimeOffset Submitted)> of, Action<int>? progress)
    {
        var master = StoreKeyring.ReadMasterKey(Path.Combine(DevPki.CertsDir, "store", "master.key"), "Hub:Store:KeyPath", developmentMaterial: true);
        await using var store = new SqliteExchangeStore(db, durable: true, NullLogger<SqliteExchangeStore>.Instance, master);
        var pending = new List<Task>();
        for (var n = 0; n < count; n++)
        {
            var (day, i, submitted) = of(n);
            var record = Answered(day, i, submitted);
            pending.Add(store.SubmitAsync(record, [
                ExchangeLifecycle.Event(record, submitted, new Transition { From = ExchangeState.Unspecified, To = ExchangeState.Submitted }),
                ExchangeLifecycle.Event(record, submitted.AddMinutes(40), new Transition { From = ExchangeState.Acknowledged, To = ExchangeState.Answered }),
            ], CancellationToken.None));
            if (pending.Count == 4096)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }

            if ((n + 1) % 250_000 == 0)
            {
                progress?.Invoke(n + 1);
            }
        }

        await Task.WhenAll(pending);
    }

    private static ExchangeRecord Answered(int day, int i, DateTimeOffset submitted)
    {
        var account = $"62220{day:D3}{i:D8}";
        return new ExchangeRecord
        {
            ExchangeId = $"ex-seed{day:D3}{i:D6}",
            From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            To = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
            Priority = Priority.High,
            Case = new CaseRef { CaseNumber = $"SZ-SEED-{day:D3}-{i / 10:D5}", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Wang Jianguo" },
            Request = new Request
            {
                Freeze = new FreezeNotice
                {
                    Account = new AccountRef { BankId = "bank-alpha", AccountNumber = account, AccountName = "Zhang San" },
                    Amount = new Money { Currency = "CNY", MinorUnits = 500_00 },
                    Victim = new Person { Name = "Li Xiaomei", NationalId = "440301199001011234", Phone = new PhoneNumber { E164 = "+8613800138000" } },
                    Reason = "victim transferred savings after a fake police call",
                },
            },
            Result = new Result { Freeze = new HoldResult { Status = HoldStatus.Executed, AmountHeld = new Money { Currency = "CNY", MinorUnits = 500_00 } } },
            State = ExchangeState.Answered,
            IdempotencyKey = $"seed-{day}-{i}",
            Deadline = Timestamp.FromDateTimeOffset(submitted.AddHours(2)),
            SubmittedAt = Timestamp.FromDateTimeOffset(submitted),
            AnsweredAt = Timestamp.FromDateTimeOffset(submitted.AddMinutes(40)),
        };
    }

    private static SubmitRequest Live(int worker, int n) => new()
    {
        IdempotencyKey = $"live-{worker}-{n}-{Guid.NewGuid():N}",
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-beta" },
        Priority = Priority.High,
        Case = new CaseRef { CaseNumber = "SZ-LIVE-0001", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Wang Jianguo" },
        Request = new Request
        {
            Freeze = new FreezeNotice
            {
                Account = new AccountRef { BankId = "bank-beta", AccountNumber = $"6217{worker:D3}{n:D9}", AccountName = "Zhang San" },
                Amount = new Money { Currency = "CNY", MinorUnits = 100_00 },
                Reason = "live load beside the purge",
            },
        },
    };
}
