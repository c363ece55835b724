// bench/HostileSoak: the hub as a real process, two normal partners working (police-shenzhen submits
// freezes and watches its case, bank-alpha acknowledges and answers), while a hostile police unit
// (police-guangzhou), a hostile bank (bank-beta) and outsiders send, round after round, every attack
// the adversarial review of issue 13 found. At the end: did every normal call succeed, did the hub's
// memory stay under the bound, and is every acknowledged exchange stored and answered?
//   HostileSoak [MINUTES] [NORMAL_PER_SECOND] [RSS_BOUND_MB]        (defaults 10, 50, 600)
// Prints a summary and one JSON line; exit code 0 only when all three hold.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;

var minutes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var perSecond = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
var rssBoundMb = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 600;

var dir = Path.Combine(Path.GetTempPath(), "afx-soak-" + Guid.NewGuid().ToString("N")[..8]);
using var certs = new TestCertificates();
var stranger = certs.Issue("bank", "bank-stranger");
var foreign = certs.Issue("bank", "bank-alpha", name: "foreign", foreign: true);
using var hub = await HubProcess.StartAsync($"--Hub:Store:Path={dir}/hub.db", "--Logging:LogLevel:Default=Warning",
    "--Logging:LogLevel:AntiFraud.Exchange.Hub=Information", "--Logging:LogLevel:AntiFraud.Exchange.Hub.Exchanges=Warning",
    "--Logging:LogLevel:AntiFraud.Exchange.Hub.Audit=Warning", "--Logging:LogLevel:AntiFraud.Exchange.Hub.Hosting=Warning",
    "--Logging:LogLevel:AntiFraud.Exchange.Hub.Identity=Error");
Console.WriteLine($"hub pid {hub.Pid} at {hub.Address}; {minutes} min, {perSecond} normal exchanges/s, RSS bound {rssBoundMb} MB");

GrpcChannel Connect(string partner) => GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions(partner));
using var police = Connect("police-shenzhen");
using var bank = Connect("bank-alpha");
using var hostilePolice = Connect("police-guangzhou");
using var hostileBank = Connect("bank-beta");
using var auditor = Connect("auditor-national");
using var strangerChannel = GrpcChannel.ForAddress(hub.Address, new GrpcChannelOptions().TrustOnly(DevPki.RootCaPath).UsePartnerCertificate(stranger.Cert, stranger.Key));
using var foreignChannel = GrpcChannel.ForAddress(hub.Address, new GrpcChannelOptions().TrustOnly(DevPki.RootCaPath).UsePartnerCertificate(foreign.Cert, foreign.Key));

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
using var drained = new CancellationTokenSource();
var normalCalls = 0L;
var normalFailures = new ConcurrentQueue<string>();
var hostileRounds = 0L;
var hostileUnexpected = new ConcurrentQueue<string>();
var acknowledged = new ConcurrentDictionary<string, byte>();
var answered = new ConcurrentDictionary<string, byte>();
var rssSamples = new List<(double Minute, long Bytes)>();
var clock = Stopwatch.StartNew();

void NormalFailed(string what, Exception ex) => normalFailures.Enqueue($"{clock.Elapsed:mm\\:ss} {what}: {ex.GetType().Name} {ex.Message}");

// --- normal partners -------------------------------------------------------------------------
var caseNumber = "SZ-SOAK-" + Guid.NewGuid().ToString("N")[..6];
var exchange = new ExchangeClient(police);
var inbox = new InboxClient(bank);

var responder = Task.Run(async () =>
{
    while (!drained.IsCancellationRequested)
    {
        try
        {
            using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 64 }, new CallOptions(cancellationToken: drained.Token));
            while (await stream.ResponseStream.MoveNext(drained.Token))
            {
                var id = stream.ResponseStream.Current.ExchangeId;
                await inbox.AckAsync(new AckRequest { ExchangeId = id });
                await inbox.RespondAsync(new RespondRequest
                {
                    ExchangeId = id,
                    Result = new Result { Freeze = new HoldResult { Status = HoldStatus.Executed, AmountHeld = new Money { Currency = "CNY", MinorUnits = 100_00 } } },
                });
                answered[id] = 0;
                Interlocked.Add(ref normalCalls, 2);
            }
        }
        catch (OperationCanceledException) when (drained.IsCancellationRequested)
        {
        }
        catch (RpcException ex) when (drained.IsCancellationRequested && ex.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded)
        {
        }
        catch (Exception ex)
        {
            NormalFailed("bank-alpha inbox", ex);
            await Task.Delay(500);
        }
    }
});

var watcher = Task.Run(async () =>
{
    var after = 0UL;
    while (!drained.IsCancellationRequested)
    {
        try
        {
            using var watch = exchange.Watch(new WatchRequest { CaseNumber = caseNumber, AfterSequence = after }, new CallOptions(cancellationToken: drained.Token));
            while (await watch.ResponseStream.MoveNext(drained.Token))
            {
                after = watch.ResponseStream.Current.Sequence;
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied && after == 0)
        {
            await Task.Delay(200);   // the case has no exchange yet
        }
        catch (Exception) when (drained.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            NormalFailed("police-shenzhen watch", ex);
            await Task.Delay(500);
        }
    }
});

var submitter = Task.Run(async () =>
{
    var n = 0L;
    var pace = Stopwatch.StartNew();
    while (!stop.IsCancellationRequested)
    {
        var due = TimeSpan.FromSeconds((double)n / perSecond) - pace.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due);
        }

        var i = n++;
        try
        {
            var reply = await exchange.SubmitAsync(Freeze("bank-alpha", $"62220{i:D14}", caseNumber));
            acknowledged[reply.ExchangeId] = 0;
            Interlocked.Increment(ref normalCalls);
        }
        catch (Exception ex)
        {
            NormalFailed("police-shenzhen submit", ex);
        }
    }
});

// --- the hub's memory --------------------------------------------------------------------------
var sampler = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        lock (rssSamples)
        {
            rssSamples.Add((clock.Elapsed.TotalMinutes, ProcessMemory.RssBytes(hub.Pid)));
        }

        await Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
    }
});

// --- the hostile partners ----------------------------------------------------------------------
var hostileExchange = new ExchangeClient(hostilePolice);
var hostileInbox = new InboxClient(hostileBank);
var huge = "ex-" + new string('7', 200 * 1024);

async Task Expect(string what, StatusCode[] allowed, Func<Task> call)
{
    try
    {
        await call();
        hostileUnexpected.Enqueue($"{what}: accepted");
    }
    catch (RpcException ex) when (allowed.Contains(ex.StatusCode))
    {
    }
    catch (Exception ex)
    {
        hostileUnexpected.Enqueue($"{what}: {ex.GetType().Name} {(ex as RpcException)?.StatusCode} {ex.Message[..Math.Min(120, ex.Message.Length)]}");
    }
}

var invalid = new[] { StatusCode.InvalidArgument };
var hostile = Task.Run(async () =>
{
    // A stop-payment at the hostile bank, which it then answers badly round after round.
    var target = (await hostileExchange.SubmitAsync(StopPayment("bank-beta", "6222000000099001", "GZ-SOAK"))).ExchangeId;
    for (var round = 0; !stop.IsCancellationRequested; round++)
    {
        var sixtyDays = StopPayment("bank-beta", "6222000000099002", "GZ-SOAK");
        sixtyDays.Request.StopPayment.HoldPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(60));
        await Expect("hold_period 60 days", invalid, () => hostileExchange.SubmitAsync(sixtyDays).ResponseAsync);

        var beyond = Answer(target);
        beyond.Result.StopPayment.HoldExpiresAt = new Timestamp { Seconds = 253_402_300_800 + 86_400 };
        await Expect("hold_expires_at beyond 9999", invalid, () => hostileInbox.RespondAsync(beyond).ResponseAsync);
        var in2200 = Answer(target);
        in2200.Result.StopPayment.HoldExpiresAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await Expect("hold_expires_at 2200", invalid, () => hostileInbox.RespondAsync(in2200).ResponseAsync);
        var executed = Answer(target);
        executed.Result.StopPayment.ExecutedAt = new Timestamp { Seconds = long.MaxValue / 2 };
        await Expect("executed_at overflow", invalid, () => hostileInbox.RespondAsync(executed).ResponseAsync);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Expect("fresh checkpoint",
            [StatusCode.OK, StatusCode.ResourceExhausted], async () =>
            {
                await new AuditClient(hostileBank).GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });
                throw new RpcException(new Status(StatusCode.OK, "served"));
            })));

        using (var http = RawGrpc.Client("bank-beta"))
        using (var request = RawGrpc.Request(hub.Address, "/grpc.health.v1.Health/Check", new ByteArrayContent(RawGrpc.Frame([])), ("grpc-timeout", "99999999H")))
        using (var response = await http.SendAsync(request, CancellationToken.None))
        {
            var (_, status, _, _) = await RawGrpc.StatusOf(response);
            if (status != 0)
            {
                hostileUnexpected.Enqueue($"grpc-timeout 99999999H: status {status}");
            }
        }

        var someone = acknowledged.Keys.FirstOrDefault();
        if (someone is not null)
        {
            await Expect("release another centre's freeze", [StatusCode.PermissionDenied],
                () => hostileExchange.SubmitAsync(Release(someone, "bank-alpha", "6222000000099003")).ResponseAsync);
        }

        var priority = Freeze("bank-beta", "6222000000099004", "GZ-SOAK");
        priority.Priority = (Priority)99;
        await Expect("priority 99", invalid, () => hostileExchange.SubmitAsync(priority).ResponseAsync);
        var basis = Freeze("bank-beta", "6222000000099005", "GZ-SOAK");
        basis.Case.LegalBasis = (LegalBasis)(1000 + round);
        await Expect("invented legal_basis", invalid, () => hostileExchange.SubmitAsync(basis).ResponseAsync);

        await Expect("200 KB exchange id (Get)", invalid, () => hostileExchange.GetAsync(new GetExchangeRequest { ExchangeId = huge }).ResponseAsync);
        await Expect("200 KB exchange id (Ack)", invalid, () => hostileInbox.AckAsync(new AckRequest { ExchangeId = huge }).ResponseAsync);
        await Expect("200 KB case number (GetCase)", invalid, () => hostileExchange.GetCaseAsync(new GetCaseRequest { CaseNumber = huge }).ResponseAsync);

        await Expect("inclusion index 2^63", invalid, () => new AuditClient(hostileBank).GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = 1UL << 63 }).ResponseAsync);
        await Expect("consistency size 2^63", invalid, () => new AuditClient(hostileBank).GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = 1, SecondSize = 1UL << 63 }).ResponseAsync);

        // Free text with personal data in a cancellation, and a rejection.
        var own = (await hostileExchange.SubmitAsync(Freeze("bank-beta", $"62220000001{round:D8}", "GZ-SOAK"))).ExchangeId;
        await hostileExchange.CancelAsync(new CancelExchangeRequest { ExchangeId = own, Reason = "account 6222021234567890123 ID 440301199001011234" });

        // Refused identities: a certificate of the hub's CA for an unregistered partner, and a foreign chain.
        await Expect("unregistered partner", [StatusCode.Unauthenticated], () => new HealthClient(strangerChannel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
        await Expect("foreign certificate", [StatusCode.Unavailable, StatusCode.Internal], () => new HealthClient(foreignChannel).CheckAsync(new HealthCheckRequest()).ResponseAsync);

        // A Watch stream that never reads on its own busy case, and 50 half-sent 4 MiB messages on one connection.
        using var neverRead = hostileExchange.Watch(new WatchRequest { CaseNumber = "GZ-SOAK" });
        using var release = new CancellationTokenSource();
        using var halfHttp = RawGrpc.Client("police-guangzhou");
        var halves = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try
            {
                var body = new RawGrpc.HalfSentMessage(4 * 1024 * 1024, 2 * 1024 * 1024, release.Token);
                using var request = RawGrpc.Request(hub.Address, "/antifraud.exchange.v1.Exchange/Submit", body);
                using var response = await halfHttp.SendAsync(request, release.Token);
                await RawGrpc.StatusOf(response);
            }
            catch (Exception)
            {
                // Refused, reset or released: all the same to the attacker.
            }
        })).ToList();
        for (var i = 0; i < 10; i++)
        {
            await hostileExchange.SubmitAsync(Freeze("bank-beta", $"62220000002{round:D6}{i:D2}", "GZ-SOAK"));
        }

        await Task.Delay(2000);
        await release.CancelAsync();
        await Task.WhenAll(halves);
        Interlocked.Increment(ref hostileRounds);
    }
});

await Task.WhenAll(submitter, hostile.ContinueWith(t =>
{
    if (t.Exception is { } e)
    {
        hostileUnexpected.Enqueue("hostile loop stopped: " + e.GetBaseException().Message);
    }
}));
// Let the bank answer what was acknowledged in the last moments, then stop the streams.
for (var i = 0; i < 100 && !acknowledged.Keys.All(answered.ContainsKey); i++)
{
    await Task.Delay(100);
}

await drained.CancelAsync();
await Task.WhenAll(responder, watcher, sampler);

// --- nothing acknowledged lost: every acknowledged exchange is stored, and answered -----------------
var lost = new List<string>();
var notAnswered = 0;
foreach (var id in acknowledged.Keys)
{
    try
    {
        var record = await exchange.GetAsync(new GetExchangeRequest { ExchangeId = id });
        notAnswered += record.State == ExchangeState.Answered ? 0 : 1;
    }
    catch (RpcException)
    {
        lost.Add(id);
    }
}

var peakMb = rssSamples.Max(s => s.Bytes) / (1024.0 * 1024);
var firstMb = rssSamples[0].Bytes / (1024.0 * 1024);
var lastMb = rssSamples[^1].Bytes / (1024.0 * 1024);
var ok = normalFailures.IsEmpty && peakMb <= rssBoundMb && lost.Count == 0 && notAnswered == 0 && hostileUnexpected.IsEmpty;
Console.WriteLine($"normal calls: {normalCalls:N0} succeeded, {normalFailures.Count} failed");
foreach (var failure in normalFailures.Take(10))
{
    Console.WriteLine("  " + failure);
}

Console.WriteLine($"acknowledged exchanges: {acknowledged.Count:N0}; lost {lost.Count}; not answered {notAnswered}");
Console.WriteLine($"hostile rounds: {hostileRounds:N0}; answers other than the expected refusal: {hostileUnexpected.Count}");
foreach (var odd in hostileUnexpected.Distinct().Take(10))
{
    Console.WriteLine("  " + odd);
}

Console.WriteLine($"hub RSS: first {firstMb:0} MB, peak {peakMb:0} MB, last {lastMb:0} MB (bound {rssBoundMb} MB)");
Console.WriteLine("RSS by minute: " + string.Join(", ", rssSamples.GroupBy(s => (int)s.Minute).Select(g => $"{g.Key}:{g.Max(s => s.Bytes) / (1024 * 1024)}")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $$"""{"minutes":{{minutes}},"normal_calls":{{normalCalls}},"normal_failures":{{normalFailures.Count}},"acknowledged":{{acknowledged.Count}},"lost":{{lost.Count}},"not_answered":{{notAnswered}},"hostile_rounds":{{hostileRounds}},"hostile_unexpected":{{hostileUnexpected.Count}},"rss_first_mb":{{firstMb:0}},"rss_peak_mb":{{peakMb:0}},"rss_last_mb":{{lastMb:0}},"rss_bound_mb":{{rssBoundMb}},"ok":{{(ok ? "true" : "false")}}}"""));
return ok ? 0 : 1;

static SubmitRequest Freeze(string bank, string account, string caseNumber) => new()
{
    IdempotencyKey = Guid.NewGuid().ToString("N"),
    Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
    Priority = Priority.High,
    Case = Case(caseNumber),
    Request = new Request
    {
        Freeze = new FreezeNotice
        {
            Account = new AccountRef { BankId = bank, AccountNumber = account },
            Amount = new Money { Currency = "CNY", MinorUnits = 100_00 },
            Victim = new Person { Name = "李小梅", Phone = new PhoneNumber { E164 = "+8613800138000" } },
        },
    },
};

static SubmitRequest StopPayment(string bank, string account, string caseNumber)
{
    var request = Freeze(bank, account, caseNumber);
    request.Request = new Request
    {
        StopPayment = new StopPaymentNotice
        {
            Account = new AccountRef { BankId = bank, AccountNumber = account },
            Amount = new Money { Currency = "CNY", MinorUnits = 100_00 },
        },
    };
    return request;
}

static SubmitRequest Release(string freezeId, string bank, string account) => new()
{
    IdempotencyKey = Guid.NewGuid().ToString("N"),
    Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
    Priority = Priority.High,
    Case = Case("GZ-SOAK"),
    Request = new Request { FreezeRelease = new FreezeRelease { FreezeExchangeId = freezeId, Account = new AccountRef { BankId = bank, AccountNumber = account } } },
};

static CaseRef Case(string number) => new()
{
    CaseNumber = number,
    LegalBasis = LegalBasis.CriminalInvestigation,
    ApprovingOfficer = "Inspector Wang",
};

static RespondRequest Answer(string exchangeId) => new()
{
    ExchangeId = exchangeId,
    Result = new Result { StopPayment = new HoldResult { Status = HoldStatus.Executed, AmountHeld = new Money { Currency = "CNY", MinorUnits = 100_00 } } },
};
