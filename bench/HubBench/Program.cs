// bench/HubBench: single calls over mTLS, for the cost of the stack and the hub's pipeline per call. Full exchanges
// (submit, delivery, ack, answer, watch) come from the one load generator, afx bench.
//   HubBench echo URL SECONDS CONCURRENCY              unary InteropTest/Echo over the same client stack
//   HubBench health URL SECONDS CONCURRENCY            grpc.health.v1 Check against the hub: the per-call cost of its pipeline
// Prints one JSON line: {"mode":..,"ops_per_s":..,"p50_ms":..,"p99_ms":..,"count":..}
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;

var mode = args[0];
var urls = args[1].Split(',');
var seconds = int.Parse(args[2], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
var rate = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0;

GrpcChannel Connect(string partner, int replica = 0) => GrpcChannel.ForAddress(urls[replica % urls.Length], DevPki.ChannelOptions(partner));

var latencies = new ConcurrentBag<double>();
var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var started = Stopwatch.GetTimestamp();
long completed = 0;

if (mode == "health")
{
    using var channel = Connect("police-shenzhen");
    var health = new HealthClient(channel);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (!stop.IsCancellationRequested)
        {
            var t = Stopwatch.GetTimestamp();
            await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            Interlocked.Increment(ref completed);
        }
    }));
}
else if (mode == "echo")
{
    using var channel = Connect("police-shenzhen");
    var echo = new InteropTest.InteropTestClient(channel);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (!stop.IsCancellationRequested)
        {
            var t = Stopwatch.GetTimestamp();
            await echo.EchoAsync(new EchoRequest { Text = "freeze 6222020200001234567 CNY 35000000" });
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            Interlocked.Increment(ref completed);
        }
    }));
}
else
{
    Console.Error.WriteLine($"HubBench: unknown mode '{mode}'. Full exchanges come from afx bench (bench/hub.sh, bench/replicas.sh).");
    return 2;
}

Report(mode, completed / Stopwatch.GetElapsedTime(started).TotalSeconds, latencies, null, completed, CpuMs());
return 0;

// The load generator's own CPU time over the run, so a report shows whether it measured the hub or itself.
double CpuMs() => (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalMilliseconds;

static void Report(string mode, double perSecond, IEnumerable<double> submit, double[]? full, long completed, double clientCpuMs)
{
    var sorted = submit.Order().ToArray();
    double P(double[] s, double p) => s.Length == 0 ? 0 : s[Math.Clamp((int)Math.Ceiling(p * s.Length) - 1, 0, s.Length - 1)];
    var line = FormattableString.Invariant($"{{\"mode\":\"{mode}\",\"ops_per_s\":{perSecond:F0},\"count\":{sorted.Length},\"completed\":{completed},\"client_cpu_ms\":{clientCpuMs:F0},\"p50_ms\":{P(sorted, 0.5):F2},\"p99_ms\":{P(sorted, 0.99):F2}");
    line += full is null ? "}" : FormattableString.Invariant($",\"full_p50_ms\":{P(full, 0.5):F2},\"full_p99_ms\":{P(full, 0.99):F2}}}");
    Console.WriteLine(line);
}
