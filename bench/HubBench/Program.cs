// bench/HubBench: full exchanges over mTLS against a running hub, or a bare unary echo for comparison.
//   HubBench exchange URL[,URL...] SECONDS CONCURRENCY [RATE]   police submit -> bank delivered/ack/answer -> police watch sees ANSWERED
//     with several URLs (hub replicas) the police workers spread over them, bank-beta uses the first and bank-alpha the last,
//     so half the exchanges cross replicas and the watch on the first replica follows transitions made on another.
//   HubBench echo URL SECONDS CONCURRENCY              unary InteropTest/Echo over the same client stack
//   HubBench health URL SECONDS CONCURRENCY            grpc.health.v1 Check against the hub: the per-call cost of its pipeline
// Prints one JSON line: {"mode":..,"ops_per_s":..,"p50_ms":..,"p99_ms":..,"count":..}
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
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
    var caseNumber = "BENCH-" + Guid.NewGuid().ToString("N")[..8];
    using var police = Connect("police-shenzhen");
    var policeOn = Enumerable.Range(0, urls.Length).Select(i => i == 0 ? police : Connect("police-shenzhen", i)).ToArray();
    using var alpha = Connect("bank-alpha", urls.Length - 1);
    using var beta = Connect("bank-beta");
    var answeredAt = new ConcurrentDictionary<string, long>();
    var submittedAt = new ConcurrentDictionary<string, long>();
    using var drain = new CancellationTokenSource();

    // Simulated banks: take each item, acknowledge and answer at once.
    Task Bank(GrpcChannel channel) => Task.Run(async () =>
    {
        var inbox = new InboxClient(channel);
        using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 256 }, new CallOptions(cancellationToken: drain.Token));
        var result = new Result { Freeze = new HoldResult { Status = HoldStatus.Executed, AmountHeld = new Money { Currency = "CNY", MinorUnits = 100_00 } } };
        var work = new List<Task>();
        try
        {
            while (await stream.ResponseStream.MoveNext(drain.Token))
            {
                var id = stream.ResponseStream.Current.ExchangeId;
                work.Add(Task.Run(async () =>
                {
                    await inbox.AckAsync(new AckRequest { ExchangeId = id });
                    await inbox.RespondAsync(new RespondRequest { ExchangeId = id, Result = result });
                }));
                if (work.Count > 512)
                {
                    work.RemoveAll(t => t.IsCompleted);
                }
            }
        }
        catch (RpcException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(work);
    });

    var banks = new[] { Bank(alpha), Bank(beta) };
    var exchange = new ExchangeClient(police);
    var caseRef = new CaseRef { CaseNumber = caseNumber, LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Inspector Wang" };

    // The police centre watches the whole case and counts answers as they arrive.
    var first = await exchange.SubmitAsync(Freeze("bank-alpha", 0));
    var watcher = Task.Run(async () =>
    {
        using var watch = exchange.Watch(new WatchRequest { CaseNumber = caseNumber }, new CallOptions(cancellationToken: drain.Token));
        try
        {
            while (await watch.ResponseStream.MoveNext(drain.Token))
            {
                var e = watch.ResponseStream.Current;
                if (e.EventCase == WatchEvent.EventOneofCase.Transition && e.Transition.To == ExchangeState.Answered)
                {
                    answeredAt[e.ExchangeId] = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (RpcException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    });

    SubmitRequest Freeze(string bank, long n) => new()
    {
        IdempotencyKey = caseNumber + "-" + n.ToString(CultureInfo.InvariantCulture),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = Priority.High,
        Case = caseRef,
        Request = new Request
        {
            Freeze = new FreezeNotice
            {
                Account = new AccountRef { BankId = bank, AccountNumber = "6222" + n.ToString("D12", CultureInfo.InvariantCulture) },
                Amount = new Money { Currency = "CNY", MinorUnits = 100_00 },
            },
        },
    };

    long sequence = 0;
    var interval = rate > 0 ? TimeSpan.FromSeconds(concurrency / rate) : TimeSpan.Zero;
    started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        // Stagger the workers so a paced run is a steady stream, not bursts of CONCURRENCY at once.
        var next = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * worker / concurrency);
        while (!stop.IsCancellationRequested)
        {
            if (rate > 0)
            {
                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            var n = Interlocked.Increment(ref sequence);
            var t = Stopwatch.GetTimestamp();
            var reply = await new ExchangeClient(policeOn[worker % policeOn.Length]).SubmitAsync(Freeze(n % 2 == 0 ? "bank-alpha" : "bank-beta", n));
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            submittedAt[reply.ExchangeId] = t;
        }
    }));

    // Let the in-flight exchanges finish, then count the ones whose answer the watcher saw.
    var settle = Stopwatch.GetTimestamp();
    while (answeredAt.Count < submittedAt.Count + 1 && Stopwatch.GetElapsedTime(settle) < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(50);
    }

    // Throughput counts exchanges answered within the submit phase; the tail after it is in the latency figures.
    var submitEnd = submittedAt.Values.Max();
    completed = answeredAt.Values.Count(t => t <= submitEnd);
    var elapsed = Stopwatch.GetElapsedTime(started, submitEnd).TotalSeconds;
    var full = submittedAt.Where(kv => answeredAt.ContainsKey(kv.Key)).Select(kv => Stopwatch.GetElapsedTime(kv.Value, answeredAt[kv.Key]).TotalMilliseconds).Order().ToArray();
    await drain.CancelAsync();
    await Task.WhenAll(banks);
    await watcher;
    _ = first;
    Report("exchange", completed / elapsed, latencies, full, completed, CpuMs());
    return;
}

Report(mode, completed / Stopwatch.GetElapsedTime(started).TotalSeconds, latencies, null, completed, CpuMs());

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
