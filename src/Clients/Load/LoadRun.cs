using System.Collections.Concurrent;
using System.Diagnostics;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Clients.Load;

/// <summary>What requests a run submits, by share: freeze=70,stop-payment=20,trace=10.</summary>
internal sealed record Mix(IReadOnlyList<(string Kind, int Weight)> Parts)
{
    public static readonly string[] Kinds = ["freeze", "stop-payment", "query", "trace", "suspend"];

    public static Mix Parse(string text)
    {
        var parts = new List<(string, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=');
            if (kv.Length != 2 || !Kinds.Contains(kv[0]) || !int.TryParse(kv[1], out var weight) || weight < 0)
            {
                throw new Cli.UsageException($"--mix '{text}': use kind=weight pairs, kinds {string.Join(", ", Kinds)} (e.g. freeze=70,stop-payment=20,trace=10).");
            }

            parts.Add((kv[0], weight));
        }

        return parts.Sum(p => p.Item2) > 0 ? new Mix(parts) : throw new Cli.UsageException("--mix: the weights add up to 0.");
    }

    public string Pick(long n)
    {
        var total = Parts.Sum(p => p.Weight);
        var slot = (int)(n % total);
        foreach (var (kind, weight) in Parts)
        {
            if (slot < weight)
            {
                return kind;
            }

            slot -= weight;
        }

        return Parts[0].Kind;
    }
}

/// <summary>The figures of one load run.</summary>
internal sealed record LoadResult(
    string Name, double Seconds, long Submitted, long Answered, long Failed, double SubmittedPerSecond, double AnsweredPerSecond,
    double SubmitP50Ms, double SubmitP90Ms, double SubmitP99Ms, double AnsweredP50Ms, double AnsweredP99Ms, IReadOnlyList<string> Cases,
    IReadOnlyList<string> Failures);

/// <summary>
/// Many police centres submitting at a rate (or as fast as they can), each watching its own case and
/// timing submit → ANSWERED seen on the watch. Banks and carriers are simulated elsewhere.
/// </summary>
internal sealed class LoadRun(IReadOnlyList<(string Partner, GrpcChannel Channel)> police, Mix mix, int concurrency, double rate)
{
    private readonly ConcurrentDictionary<string, long> _submittedAt = new(StringComparer.Ordinal);
    // When the watch saw each exchange answered; joined with _submittedAt at the end (an answer can be seen before the submit reply is).
    private readonly ConcurrentDictionary<string, long> _answeredAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _submitMs = [];
    private long _failed;

    public async Task<LoadResult> RunAsync(string name, TimeSpan duration, CancellationToken ct)
    {
        var cases = police.Select(p => $"LOAD-{p.Partner}-{Guid.NewGuid().ToString("N")[..8]}").ToArray();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // Open each case with one submission so it can be watched, then watch it.
        for (var i = 0; i < police.Count; i++)
        {
            await SubmitOneAsync(i, cases[i], 0, ct);
        }

        var watchers = police.Select((p, i) => WatchAsync(new ExchangeClient(p.Channel), cases[i], watching.Token)).ToList();
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        long sequence = 0;
        var interval = rate > 0 ? TimeSpan.FromSeconds(concurrency / rate) : TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var next = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * worker / concurrency);
            while (!stop.IsCancellationRequested)
            {
                if (rate > 0)
                {
                    next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(wait, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                }

                var n = Interlocked.Increment(ref sequence);
                var who = worker % police.Count;
                await SubmitOneAsync(who, cases[who], n, ct);
            }
        }));
        var window = Stopwatch.GetElapsedTime(started);

        // Let what is in flight finish; count what the watchers saw answered.
        var settle = Stopwatch.StartNew();
        while (_submittedAt.Keys.Any(id => !_answeredAt.ContainsKey(id)) && settle.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, ct);
        }

        await watching.CancelAsync();
        await Task.WhenAll(watchers);
        var submit = _submitMs.Order().ToArray();
        var full = _submittedAt.Where(s => _answeredAt.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value, _answeredAt[s.Key]).TotalMilliseconds).Order().ToArray();
        return new LoadResult(name, window.TotalSeconds, _submittedAt.Count, full.Length, Interlocked.Read(ref _failed),
            _submittedAt.Count / window.TotalSeconds, full.Length / (window + settle.Elapsed).TotalSeconds,
            P(submit, 0.50), P(submit, 0.90), P(submit, 0.99), P(full, 0.50), P(full, 0.99), cases,
            [.. _failures.OrderByDescending(f => f.Value).Take(3).Select(f => $"{f.Value} x {f.Key}")]);
    }

    private static double P(double[] sorted, double q) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1,
        (int)(q * sorted.Length))], 2);

    private async Task SubmitOneAsync(int who, string caseNumber, long n, CancellationToken ct)
    {
        var t = Stopwatch.GetTimestamp();
        try
        {
            var reply = await new ExchangeClient(police[who].Channel).SubmitAsync(Request(caseNumber, n),
                new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            _submitMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            _submittedAt[reply.ExchangeId] = t;
        }
        catch (RpcException e)
        {
            Interlocked.Increment(ref _failed);
            _failures.AddOrUpdate($"{e.StatusCode}: {e.Status.Detail}", 1, (_, n) => n + 1);
        }
    }

    private SubmitRequest Request(string caseNumber, long n)
    {
        var bank = n % 2 == 0 ? "bank-alpha" : "bank-beta";
        var account = new AccountRef { BankId = bank, AccountNumber = "6222" + n.ToString("D12",
            System.Globalization.CultureInfo.InvariantCulture) };
        var amount = new Money { Currency = "CNY", MinorUnits = 100_00 + n };
        var kind = n == 0 ? "freeze" : mix.Pick(n);
        var request = kind switch
        {
            "stop-payment" => new Request { StopPayment = new StopPaymentNotice { Account = account, Amount = amount } },
            "query" => new Request { AccountQuery = new AccountQuery { Account = account, IncludeHolder = true, IncludeTransactions = true, TransactionsFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-7)), TransactionsTo = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } },
            "trace" => new Request { CallTrace = new CallTraceRequest { CalledNumber = new PhoneNumber { E164 = "+8613800138000" }, PresentedNumber = new PhoneNumber { E164 = "+861095566" }, CallTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20)) } },
            "suspend" => new Request { NumberSuspension = new NumberSuspensionRequest { Number = new PhoneNumber { E164 = "+855238"
                + (n % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) } } },
            _ => new Request { Freeze = new FreezeNotice { Account = account, Amount = amount } },
        };
        var toCarrier = kind is "trace" or "suspend";
        return new SubmitRequest
        {
            IdempotencyKey = caseNumber + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Recipient = new PartnerRef { Kind = toCarrier ? PartnerKind.Carrier : PartnerKind.Bank, Id = toCarrier ? "carrier-east" : bank },
            Priority = kind == "stop-payment" ? Priority.Critical : Priority.High,
            Case = new CaseRef
            {
                CaseNumber = caseNumber,
                LegalBasis = kind == "stop-payment" ? LegalBasis.EmergencyStopPayment : LegalBasis.CriminalInvestigation,
                ApprovingOfficer = "Inspector Wang",
            },
            Request = request,
        };
    }

    private Task WatchAsync(ExchangeClient exchange, string caseNumber, CancellationToken ct) => Task.Run(async () =>
    {
        ulong last = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var call = exchange.Watch(new WatchRequest { CaseNumber = caseNumber, AfterSequence = last },
                    new CallOptions(cancellationToken: ct));
                while (await call.ResponseStream.MoveNext(ct))
                {
                    var e = call.ResponseStream.Current;
                    last = e.Sequence;
                    if (e.Transition?.To is ExchangeState.Answered or ExchangeState.Rejected)
                    {
                        _answeredAt.TryAdd(e.ExchangeId, Stopwatch.GetTimestamp());
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(200, CancellationToken.None);
            }
            catch (RpcException)
            {
                return;
            }
        }
    }, CancellationToken.None);
}
