using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AntiFraud.Exchange.Clients.Alerts;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Demo;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Clients.Load;

/// <summary>
/// afx bench alerts: early warnings under load. Carriers raise fraud-call signals about made-up people in the dev
/// hierarchy's divisions; for every other person a bank then raises a paused transfer, which fuses into the same alert
/// (and raises it to critical). Every police unit takes its instructions on its inbox stream and claims them. Reports
/// raises per second and the time from a raise to the instruction on a unit's stream (p50, p99).
/// </summary>
internal static class AlertLoad
{
    private static readonly string[] Raisers = ["carrier-east", "carrier-west", "bank-alpha", "bank-beta"];
    private static readonly string[] Units = ["police-shenzhen", "police-sz-futian", "police-sz-nanshan", "police-sz-futian-shatou",
        "police-sz-nanshan-yuehai"];
    private static readonly string[] Divisions = ["440304001", "440305005", "440304", "440305", ""];

    public static Command Create()
    {
        var duration = new Option<TimeSpan>("--duration") { Description = "how long to raise (default 15 s)", DefaultValueFactory = _ => TimeSpan.FromSeconds(15) };
        var concurrency = new Option<int>("--concurrency") { Description = "concurrent raisers", DefaultValueFactory = _ => 32 };
        var rate = new Option<double>("--rate") { Description = "raises per second in total (0: as fast as the hub takes them)" };
        var command = new Command("alerts", """
            Early warnings under load: carriers and banks raise (half the people get a second, fusing signal), police units
            take and claim their instructions on their inbox streams. Reports raises/s and raise -> unit's stream latency.
            Without --hub it starts its own hub on a temporary embedded store.
            Examples:
              afx bench alerts --duration 00:00:20 --concurrency 32
              afx bench alerts --hub https://127.0.0.1:7450 --rate 250 --json
            """) { duration, concurrency, rate };
        command.SetGuardedAction(async (r, ct) =>
        {
            HubLauncher? launched = null;
            var hub = r.GetValue(GlobalOptions.Hub);
            try
            {
                if (hub is null)
                {
                    launched = await HubLauncher.StartAsync(ct);
                    hub = launched.Address;
                }

                return await RunAsync(hub, r.GetValue(duration), Math.Max(1, r.GetValue(concurrency)), r.GetValue(rate),
                    r.GetValue(GlobalOptions.Json), ct);
            }
            finally
            {
                launched?.Dispose();
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string hub, TimeSpan duration, int concurrency, double rate, bool json, CancellationToken ct)
    {
        var channels = Raisers.Concat(Units).ToDictionary(p => p, p => Connection.DevChannel(hub, p));
        try
        {
            var started = new ConcurrentDictionary<(string Phone, uint Revision), long>();
            var onStream = new ConcurrentBag<double>();
            var raiseLatency = new ConcurrentBag<double>();
            long raised = 0, fused = 0, failed = 0, person = Random.Shared.Next(0, 1_000_000) * 100L;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var consumers = Units.Select(u => ConsumeAsync(channels[u], started, onStream, stop.Token)).ToList();
            await Task.Delay(500, ct);
            var cpuAtStart = Environment.CpuUsage.TotalTime;
            var clock = Stopwatch.StartNew();
            var interval = rate > 0 ? TimeSpan.FromSeconds(concurrency / rate) : TimeSpan.Zero;
            var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                var carrier = new AlertsClient(channels[Raisers[w % 2]]);
                var bank = new AlertsClient(channels[Raisers[2 + (w % 2)]]);
                var next = Stopwatch.GetTimestamp();
                while (clock.Elapsed < duration && !ct.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref person);
                    var phone = $"+86150{n % 100_000_000:D8}";
                    var division = Divisions[n % Divisions.Length];
                    foreach (var (client, kind, revision) in n % 2 == 0
                        ? new[] { (carrier, "carrier", 0u), (bank, "bank", 1u) }
                        : [(carrier, "carrier", 0u)])
                    {
                        if (interval > TimeSpan.Zero)
                        {
                            next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                            if (wait > TimeSpan.Zero)
                            {
                                await Task.Delay(wait, ct);
                            }
                        }

                        var at = Stopwatch.GetTimestamp();
                        started[(phone, revision)] = at;
                        try
                        {
                            var reply = await client.RaiseAsync(AlertRaiser.Signal(kind, phone, division, Priority.Medium, Guid.NewGuid().ToString("N")),
                                new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
                            raiseLatency.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                            Interlocked.Increment(ref raised);
                            if (reply.Fused)
                            {
                                Interlocked.Increment(ref fused);
                            }
                        }
                        catch (RpcException) when (!ct.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    }
                }
            }, ct)).ToList();
            await Task.WhenAll(workers);
            var elapsed = clock.Elapsed;
            var clientCpu = Environment.CpuUsage.TotalTime - cpuAtStart;
            await Task.Delay(1000, ct);
            await stop.CancelAsync();
            await Task.WhenAll(consumers);

            var stream = onStream.Order().ToList();
            var rpc = raiseLatency.Order().ToList();
            var result = new
            {
                seconds = Math.Round(elapsed.TotalSeconds, 1),
                concurrency,
                target_rate = rate,
                raised,
                fused,
                failed,
                raised_per_s = Math.Round(raised / elapsed.TotalSeconds),
                raise_p50_ms = Percentile(rpc, 0.5),
                raise_p99_ms = Percentile(rpc, 0.99),
                on_stream = stream.Count,
                on_stream_p50_ms = Percentile(stream, 0.5),
                on_stream_p99_ms = Percentile(stream, 0.99),
                client_cpu_ms = Math.Round(clientCpu.TotalMilliseconds),
            };
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(result));
            }
            else
            {
                Console.WriteLine($"{raised} signals raised in {elapsed.TotalSeconds:F1} s ({result.raised_per_s}/s, {fused} fused, {failed} failed); "
                    + $"raise p50 {result.raise_p50_ms} ms, p99 {result.raise_p99_ms} ms; raise -> unit's stream p50 {result.on_stream_p50_ms} ms, "
                    + $"p99 {result.on_stream_p99_ms} ms over {stream.Count} deliveries");
            }

            return failed == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        }
        finally
        {
            foreach (var channel in channels.Values)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>A police unit on its stream: each instruction is timed against its raise and claimed (acknowledged).</summary>
    private static async Task ConsumeAsync(GrpcChannel channel, ConcurrentDictionary<(string Phone, uint Revision), long> started,
        ConcurrentBag<double> onStream, CancellationToken ct)
    {
        var inbox = new InboxClient(channel);
        try
        {
            using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 256 }, new CallOptions(cancellationToken: ct));
            while (await stream.ResponseStream.MoveNext(ct))
            {
                var item = stream.ResponseStream.Current;
                var arrived = Stopwatch.GetTimestamp();
                if (item.Request.WarnVictim is { } w && w.Victim?.Person?.Phone?.E164 is { } phone
                    && started.TryGetValue((phone, w.Revision), out var at))
                {
                    onStream.Add(Stopwatch.GetElapsedTime(at, arrived).TotalMilliseconds);
                }

                _ = inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId }, new CallOptions(cancellationToken: ct)).ResponseAsync
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 1);
}
