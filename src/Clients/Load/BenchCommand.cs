using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Demo;
using AntiFraud.Exchange.Clients.Responders;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;
using Spectre.Console;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Load;

/// <summary>
/// afx bench: a load generator for the whole hub (police centres submitting over mTLS, simulated banks and
/// a carrier answering, the police watching), and a soak mode that runs at 80% of measured capacity for
/// minutes, checking that the hub's memory stays flat and that submitted, answered and audited counts match.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] PoliceCentres = ["police-shenzhen", "police-guangzhou"];

    public static Command Create()
    {
        var duration = new Option<TimeSpan?>("--duration") { Description = "how long to load (default 20 s); soak: how long to hold 80% (default 3 min)" };
        var concurrency = new Option<int>("--concurrency") { Description = "concurrent submitters", DefaultValueFactory = _ => 32 };
        var rate = new Option<double>("--rate") { Description = "submissions per second in total (0: as fast as the hub takes them)" };
        var mix = new Option<string>("--mix") { Description = "request mix by weight", DefaultValueFactory = _ =>
            "freeze=70,stop-payment=20,trace=10" };
        var latency = new Option<TimeSpan>("--latency") { Description = "how long the simulated responders take", DefaultValueFactory = _ => TimeSpan.Zero };
        var soak = new Option<bool>("--soak") { Description = "measure capacity, then hold 80% of it for --duration and check memory and counts" };
        var probe = new Option<TimeSpan>("--probe") { Description = "soak: how long to measure capacity first", DefaultValueFactory = _ =>
            TimeSpan.FromSeconds(10) };
        var share = new Option<double>("--share") { Description = "soak: the share of capacity to hold", DefaultValueFactory = _ => 0.8 };
        var noAudit = new Option<bool>("--no-audit-check")
        {
            Description = "skip reading the audit log back at the end (for benchmarks that measure the hub's CPU per exchange)",
        };
        var command = new Command("bench", """
            Load the whole hub: police centres submit over mTLS (two centres, each watching its case), simulated banks and a
            carrier acknowledge and answer, and every exchange is timed from submit to the ANSWERED event on the watch.
            Without --hub it starts its own hub on a temporary embedded store (then it also tracks the hub's memory); --hub A,B
            spreads the police centres and the responders over several replicas.
            Reports throughput and latency percentiles, as text or --json. Exit 1 if anything was lost.
            Examples:
              afx bench --duration 30s --concurrency 64
              afx bench --rate 500 --mix freeze=50,stop-payment=30,trace=10,query=10 --json
              afx bench --soak --duration 00:05:00            # 80% of capacity for five minutes
              afx bench alerts --duration 00:00:20             # early warnings: raises/s, raise -> unit's stream
            """) { duration, concurrency, rate, mix, latency, soak, probe, share, noAudit, AlertLoad.Create() };
        command.SetGuardedAction(async (r, ct) =>
        {
            var parsedMix = Mix.Parse(r.GetValue(mix)!);
            var json = r.GetValue(GlobalOptions.Json);
            HubLauncher? launched = null;
            var hub = r.GetValue(GlobalOptions.Hub);
            try
            {
                if (hub is null)
                {
                    Say(json, "Starting a hub on a temporary embedded store ...");
                    launched = await HubLauncher.StartAsync(ct);
                    hub = launched.Address;
                }

                var length = r.GetValue(duration) ?? (r.GetValue(soak) ? TimeSpan.FromMinutes(3) : TimeSpan.FromSeconds(20));
                return await RunAsync(hub, launched, parsedMix, r.GetValue(concurrency), r.GetValue(rate), length, r.GetValue(latency),
                    r.GetValue(soak), r.GetValue(probe), r.GetValue(share), !r.GetValue(noAudit), json, ct);
            }
            finally
            {
                launched?.Dispose();
            }
        });
        return command;
    }

    private static void Say(bool json, string line)
    {
        if (json)
        {
            Console.Error.WriteLine(line);
        }
        else
        {
            AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }

    private static GrpcChannel Channel(string hub, string partner) => Connection.DevChannel(hub, partner);

    private static async Task<int> RunAsync(string hub, HubLauncher? launched, Mix mix, int concurrency, double rate, TimeSpan duration,
        TimeSpan latency,
        bool soak, TimeSpan probe, double share, bool auditCheck, bool json, CancellationToken ct)
    {
        // Several replicas (--hub A,B): the police centres are spread over them, and the responders sit on others than
        // the first, so an exchange crosses replicas through the shared store.
        var replicas = hub.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var responders = new[] { "bank-alpha", "bank-beta", "carrier-east" }
            .Select((p, i) => (Channel: Channel(replicas[(replicas.Length - 1 + i) % replicas.Length], p), Partner: p)).ToList();
        var police = PoliceCentres.Select((p, i) => (Partner: p, Channel: Channel(replicas[i % replicas.Length], p))).ToList();
        using var auditor = Channel(replicas[0], "auditor-national");
        var cpuAtStart = Environment.CpuUsage.TotalTime;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var simulators = responders.Select(p => new Simulator(p.Channel, p.Partner, new SimulatorOptions(latency, Behaviour.Answer,
            Window: 512), TimeProvider.System).RunAsync(stop.Token)).ToList();
        try
        {
            var results = new List<LoadResult>();
            var memory = new List<(double At, long Bytes)>();
            if (!soak)
            {
                Say(json, $"Loading {hub} for {duration.TotalSeconds:F0} s: {concurrency} submitters, {(rate > 0 ? $"{rate:F0}/s" : "as fast as possible")}, mix {Describe(mix)}.");
                results.Add(await new LoadRun(police, mix, concurrency, rate).RunAsync("load", duration, ct));
            }
            else
            {
                Say(json, $"Soak, step 1: measuring capacity for {probe.TotalSeconds:F0} s ...");
                var capacity = await new LoadRun(police, mix, concurrency, 0).RunAsync("capacity", probe, ct);
                results.Add(capacity);
                var target = Math.Max(1, capacity.AnsweredPerSecond * share);
                Say(json, $"Capacity {capacity.AnsweredPerSecond:F0} exchanges/s. Step 2: holding {target:F0}/s ({share:P0}) for {duration.TotalMinutes:F1} min{(launched is null ? "" : ", sampling the hub's memory")} ...");
                using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var sampler = launched is null ? Task.CompletedTask : Task.Run(async () =>
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    while (!sampling.IsCancellationRequested)
                    {
                        memory.Add((clock.Elapsed.TotalSeconds, launched.WorkingSet));
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(2), sampling.Token);
                        }
                        catch (OperationCanceledException)
                        {
                        }
                    }
                }, CancellationToken.None);
                results.Add(await new LoadRun(police, mix, concurrency, target).RunAsync("soak", duration, ct));
                await sampling.CancelAsync();
                await sampler;
            }

            var submitted = results.Sum(x => x.Submitted);
            var answered = results.Sum(x => x.Answered);
            var audited = auditCheck ? await AuditedAsync(new AuditClient(auditor), results.SelectMany(x => x.Cases),
                ct) : (Submitted: submitted, Answered: answered);
            var memoryFlat = MemoryFlat(memory, out var memoryNote);
            var lost = submitted != answered || audited.Submitted != submitted || audited.Answered != answered
                || results.Any(x => x.Failed > 0);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    hub, runs = results.Select(x => new { name = x.Name, seconds = Math.Round(x.Seconds, 1), submitted = x.Submitted,
                        answered = x.Answered, failed = x.Failed,
                        submitted_per_s = Math.Round(x.SubmittedPerSecond, 1), answered_per_s = Math.Round(x.AnsweredPerSecond, 1),
                        submit_p50_ms = x.SubmitP50Ms, submit_p90_ms = x.SubmitP90Ms, submit_p99_ms = x.SubmitP99Ms, answered_p50_ms = x.AnsweredP50Ms, answered_p99_ms = x.AnsweredP99Ms, failures = x.Failures }),
                    counts = new { submitted, answered, audited_submitted = audited.Submitted, audited_answered = audited.Answered, match = !lost },
                    // This process's CPU over the runs and the audit check: the load generator's own cost, beside the hub's.
                    client_cpu_ms = Math.Round((Environment.CpuUsage.TotalTime - cpuAtStart).TotalMilliseconds),
                    memory = memory.Count == 0 ? null : new { samples = memory.Count, first_mb = memory[0].Bytes / 1e6, last_mb = memory[^1].Bytes / 1e6, max_mb = memory.Max(m => m.Bytes) / 1e6, flat = memoryFlat, note = memoryNote,
                        every_20_s_mb = memory.Where((_, i) => i % 10 == 0).Select(m => Math.Round(m.Bytes / 1e6)).ToArray() },
                }));
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("run", "s", "submitted", "answered", "failed",
                    "submitted/s", "answered/s", "submit p50 ms", "p90", "p99", "submit→answered p50 ms", "p99");
                foreach (var x in results)
                {
                    table.AddRow(x.Name, $"{x.Seconds:F1}", $"{x.Submitted}", $"{x.Answered}", $"{x.Failed}", $"{x.SubmittedPerSecond:F0}",
                        $"{x.AnsweredPerSecond:F0}",
                        $"{x.SubmitP50Ms}", $"{x.SubmitP90Ms}", $"{x.SubmitP99Ms}", $"{x.AnsweredP50Ms}", $"{x.AnsweredP99Ms}");
                }

                AnsiConsole.Write(table);
                foreach (var failure in results.SelectMany(x => x.Failures))
                {
                    AnsiConsole.MarkupLine($"[red]failed:[/] {Markup.Escape(failure)}");
                }

                AnsiConsole.MarkupLine($"Counts: submitted {submitted}, answered {answered}, in the audit log {audited.Submitted} submitted and {audited.Answered} answered: "
                    + (lost ? "[red]MISMATCH[/]" : "[green]all match[/]"));
                if (memory.Count > 0)
                {
                    AnsiConsole.MarkupLine($"Hub memory: {memory[0].Bytes / 1e6:F0} MB at start, {memory[^1].Bytes / 1e6:F0} MB at the end, max {memory.Max(m => m.Bytes) / 1e6:F0} MB: "
                        + (memoryFlat ? "[green]flat[/]" : "[red]growing[/]") + $" ({Markup.Escape(memoryNote)})");
                    AnsiConsole.WriteLine("Hub memory every 20 s (MB): " + string.Join(", ", memory.Where((_, i) => i % 10 == 0)
                        .Select(m => (m.Bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture))));
                }
            }

            return lost || !memoryFlat ? ExitCodes.Refused : ExitCodes.Ok;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(simulators);
            foreach (var (channel, _) in responders)
            {
                channel.Dispose();
            }

            foreach (var p in police)
            {
                p.Channel.Dispose();
            }
        }
    }

    private static string Describe(Mix mix) => string.Join(",", mix.Parts.Select(p => $"{p.Kind}={p.Weight}"));

    /// <summary>Flat: the median of the last third of the samples is within 25% of the median of the middle third (the first third is
    /// warm-up).</summary>
    private static bool MemoryFlat(List<(double At, long Bytes)> samples, out string note)
    {
        if (samples.Count < 6)
        {
            note = samples.Count == 0 ? "not sampled (hub not started by afx bench)" : "too few samples to judge";
            return true;
        }

        double Median(IEnumerable<long> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        var third = samples.Count / 3;
        var middle = Median(samples.Skip(third).Take(third).Select(s => s.Bytes));
        var last = Median(samples.Skip(2 * third).Select(s => s.Bytes));
        note = $"median {middle / 1e6:F0} MB in the middle third, {last / 1e6:F0} MB in the last third";
        return last <= middle * 1.25;
    }

    /// <summary>Distinct exchanges of the runs' cases with a SUBMITTED and with an ANSWERED entry in the audit log, read as an
    /// auditor.</summary>
    private static async Task<(long Submitted, long Answered)> AuditedAsync(AuditClient audit, IEnumerable<string> cases,
        CancellationToken ct)
    {
        var submitted = new HashSet<string>(StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var caseNumber in cases)
        {
            var token = "";
            do
            {
                var page = await audit.QueryAsync(new AuditQueryRequest
                {
                    CaseNumber = caseNumber, PageSize = 1000, PageToken = token,
                    Kinds = { AuditEventKind.Submitted, AuditEventKind.Answered, AuditEventKind.Rejected },
                }, new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromMinutes(2)));
                foreach (var entry in page.Entries)
                {
                    (entry.Kind == AuditEventKind.Submitted ? submitted : answered).Add(entry.ExchangeId);
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
        }

        return (submitted.Count, answered.Count);
    }
}
