using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using AntiFraud.Exchange.Clients.Alerts;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Clients.Responders;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Transparency;
using Grpc.Net.Client;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Demo;

/// <summary>
/// afx demo: a hub on its embedded store with the dev PKI, two simulated banks and a carrier, and one
/// telecom-fraud case played from the victim's report to verified audit proofs. Exit 0 only if every
/// step happened.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var latency = new Option<TimeSpan>("--latency") { Description = "how long the simulated partners take to answer", DefaultValueFactory = _ => TimeSpan.FromMilliseconds(600) };
        var command = new Command("demo", """
            Play a whole telecom-fraud case in a few seconds: start a hub (embedded store, dev certificates) and simulated
            partners (bank-alpha, bank-beta, carrier-east), then: a victim reports a transfer; police issue an emergency
            stop-payment; the money is followed to a second bank; the caller's number is traced and suspended; the audit
            proofs are verified. Prints a timeline with each step's legal deadline. Exit 0 only if every step happened.
            Examples:
              dotnet run --project src/Clients -- demo
              afx demo --hub https://localhost:7443      # against a hub you started (with its partners registered)
            """) { latency };
        command.SetGuardedAction(async (r, ct) =>
        {
            HubLauncher? launched = null;
            var hub = r.GetValue(GlobalOptions.Hub);
            try
            {
                if (hub is null)
                {
                    Console.Error.WriteLine("Starting a hub on a temporary embedded store with the dev certificates ...");
                    launched = await HubLauncher.StartAsync(ct);
                    hub = launched.Address;
                }

                return await new Story(hub, r.GetValue(latency), r.GetValue(GlobalOptions.Json)).PlayAsync(ct);
            }
            finally
            {
                launched?.Dispose();
            }
        });
        return command;
    }

    private sealed class Story(string hub, TimeSpan latency, bool json)
    {
        private readonly Stopwatch _clock = new();
        private readonly ConcurrentDictionary<string, ExchangeRecord> _records = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _changed = new(0);
        private readonly List<(TimeSpan At, string Step, string Detail, bool Ok)> _timeline = [];
        private readonly List<Receipt> _receipts = [];
        private readonly string _case = $"SZ-{DateTimeOffset.Now:yyyyMMdd}-{Random.Shared.Next(1000, 9999)}";

        private GrpcChannel Channel(string partner) => Connection.DevChannel(hub, partner);

        public async Task<int> PlayAsync(CancellationToken ct)
        {
            using var police = Channel("police-shenzhen");
            using var alpha = Channel("bank-alpha");
            using var beta = Channel("bank-beta");
            using var carrier = Channel("carrier-east");
            using var auditor = Channel("auditor-national");
            var exchange = new ExchangeClient(police);
            var audit = new AuditClient(auditor);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var simulators = new[]
            {
                new Simulator(alpha, "bank-alpha", new SimulatorOptions(latency, Behaviour.Answer, OnwardTo: "bank-beta"),
                    TimeProvider.System),
                new Simulator(beta, "bank-beta", new SimulatorOptions(latency, Behaviour.Answer), TimeProvider.System),
                new Simulator(carrier, "carrier-east", new SimulatorOptions(latency, Behaviour.Answer), TimeProvider.System),
            };
            var running = simulators.Select(s => s.RunAsync(stop.Token)).ToList();
            var key = SignedCheckpoint.ReadPublicKeys(await File.ReadAllTextAsync(Connection.DevPath("audit", "log-signing.pub"), ct));
            var first = await audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true }, new CallOptions(cancellationToken: ct));
            _clock.Start();
            if (!json)
            {
                AnsiConsole.MarkupLine($"Hub [bold]{Markup.Escape(hub)}[/]; simulated partners bank-alpha, bank-beta, carrier-east; case [bold]{_case}[/].\n");
            }

            var ok = true;
            try
            {
                // 1. The victim's report.
                Step("1. Victim reports",
                    "张三 calls 110 at 09:12: a 'customer service agent' had him transfer CNY 49,800.00 to account 6222020200112233 at bank-alpha; the call showed +86 10 95566.", true);

                // 2. Emergency stop-payment, following the money.
                var watching = Watch(exchange, stop.Token);
                var stopPayment = await Submit(exchange, "bank-alpha", Priority.Critical, LegalBasis.EmergencyStopPayment, new Request
                {
                    StopPayment = new StopPaymentNotice
                    {
                        Account = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233", AccountName = "李四" },
                        Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                        Victim = new Person { Name = "张三", Phone = new PhoneNumber { E164 = "+8613800138000" } },
                        ReportedTransfer = new Transaction { TransactionId = "VICTIM-20261122-0912", Direction = TransferDirection.Credit, Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 } },
                        Reason = "Victim's report: impersonation of bank customer service",
                    },
                }, follow: true, ct);
                var held = await Answered(stopPayment.ExchangeId, ct);
                ok &= Step("2. Emergency stop-payment",
                    $"{stopPayment.ExchangeId} to bank-alpha, deadline {Deadline(stopPayment)}: {CaseTable.Outcome(held)}, answered {Took(held)}", held.State == ExchangeState.Answered);

                // 3. The money is followed to the next bank.
                var followUp = await Until(() => _records.Values.FirstOrDefault(x => x.ParentExchangeId == stopPayment.ExchangeId
                    && x.State == ExchangeState.Answered), "the follow-up at the next bank", ct);
                ok &= Step("3. Money followed",
                    $"the hub opened {followUp.ExchangeId} at {followUp.To.Id} for the onward transfer (deadline {Output.Countdown(followUp.Deadline, followUp.SubmittedAt.ToDateTimeOffset())}): {CaseTable.Outcome(followUp)}, answered {Took(followUp)}", true);

                // 4. Trace the call and suspend the real number.
                var trace = await Submit(exchange, "carrier-east", Priority.High, LegalBasis.CriminalInvestigation, new Request
                {
                    CallTrace = new CallTraceRequest
                    {
                        CalledNumber = new PhoneNumber { E164 = "+8613800138000" }, PresentedNumber = new PhoneNumber { E164 = "+861095566" },
                        CallTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-25)), Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
                        Kind = CommunicationKind.VoiceCall,
                    },
                }, follow: false, ct);
                var traced = await Answered(trace.ExchangeId, ct);
                var origin = traced.Result?.CallTrace?.Hops.FirstOrDefault(h => h.OriginalNumber is not null)?.OriginalNumber?.E164;
                ok &= Step("4a. Call traced",
                    $"{trace.ExchangeId} to carrier-east, deadline {Deadline(trace)}: {CaseTable.Outcome(traced)}", origin is not null);
                var suspend = await Submit(exchange, "carrier-east", Priority.High, LegalBasis.CriminalInvestigation, new Request
                {
                    NumberSuspension = new NumberSuspensionRequest { Number = new PhoneNumber { E164 = origin
                        ?? "+85523880123" }, Reason = "originating number of a fraud call" },
                }, follow: false, ct);
                var suspended = await Answered(suspend.ExchangeId, ct);
                ok &= Step("4b. Number suspended",
                    $"{suspend.ExchangeId}: {origin} {CaseTable.Outcome(suspended)}, deadline {Deadline(suspend)}", suspended.Result?.NumberSuspension?.Status == SuspensionStatus.Suspended);

                // 5. The other half of the loop: a carrier and a bank warn, the nearest station reaches the victim first.
                ok &= await EarlyWarningAsync(ct);

                // 6. The audit proofs.
                var checkpoint = await audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true },
                    new CallOptions(cancellationToken: ct));
                var body = SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key);
                var start = SignedCheckpoint.Verify(first.SignedNote, first.Origin, key);
                var proven = 0;
                foreach (var receipt in _receipts)
                {
                    var proof = await audit.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = receipt.LeafIndex,
                        TreeSize = (ulong)body.Size }, new CallOptions(cancellationToken: ct));
                    proven += MerkleVerifier.VerifyInclusion((long)receipt.LeafIndex, body.Size, receipt.LeafHash.Span,
                        [.. proof.Hashes.Select(h => h.ToByteArray())], body.RootHash) ? 1 : 0;
                }

                var consistency = await audit.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = (ulong)start.Size,
                    SecondSize = (ulong)body.Size }, new CallOptions(cancellationToken: ct));
                var grew = MerkleVerifier.VerifyConsistency(start.Size, body.Size, start.RootHash, body.RootHash,
                    [.. consistency.Hashes.Select(h => h.ToByteArray())]);
                ok &= Step("6. Audit proofs verified",
                    $"signed checkpoint of {body.Size} entries verified; {proven}/{_receipts.Count} receipts proven in the log; "
                    + $"the log only grew since the checkpoint at the start ({start.Size} entries): {(grew ? "yes" : "NO")}", proven == _receipts.Count && grew);
            }
            catch (TimeoutException e)
            {
                ok = Step("stopped", e.Message, false);
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(running);
            }

            if (json)
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    @case = _case, ok, seconds = Math.Round(_clock.Elapsed.TotalSeconds, 1),
                    steps = _timeline.Select(t => new { t_s = Math.Round(t.At.TotalSeconds, 1), step = t.Step, detail = t.Detail,
                        ok = t.Ok }),
                    exchanges = CaseTable.InTreeOrder([.. _records.Values]).Select(x => new
                    {
                        exchange_id = x.Record.ExchangeId, parent = x.Record.ParentExchangeId, kind = Output.Kind(x.Record.Request), to = x.Record.To.Id,
                        state = Output.State(x.Record.State), outcome = CaseTable.Outcome(x.Record),
                    }),
                }));
                return ok ? ExitCodes.Ok : ExitCodes.Refused;
            }

            AnsiConsole.WriteLine();
            AnsiConsole.Write(CaseTable.Render("case " + _case, [.. _records.Values], DateTimeOffset.UtcNow));
            AnsiConsole.MarkupLine(ok
                ? $"\n[green]Every step happened[/] in {_clock.Elapsed.TotalSeconds:F1} s. Watch it yourself: afx watch --as police-shenzhen --case {_case} (against a hub you keep running)."
                : "\n[red]The story did not complete.[/]");
            return ok ? ExitCodes.Ok : ExitCodes.Refused;
        }

        /// <summary>
        /// A carrier's fraud-call signal, then the bank's paused CNY 50,000 transfer by the same person: the two fuse into one
        /// critical alert, the station covering her address gets it on its stream, claims it and reports her dissuaded, and the
        /// bank learns to release the hold to its customer.
        /// </summary>
        private async Task<bool> EarlyWarningAsync(CancellationToken ct)
        {
            using var carrier = Channel("carrier-east");
            using var bank = Channel("bank-alpha");
            using var station = Channel("police-sz-futian-shatou");
            var phone = "+86138" + Random.Shared.Next(10_000_000, 99_999_999);
            var calls = AlertRaiser.Signal("carrier", phone, "440304001", Priority.High, Guid.NewGuid().ToString("N"));
            calls.Victim.Person.Name = "陈阿姨";
            calls.Victim.Person.Address = "深圳市福田区沙头街道 8 号";
            var first = await new AlertsClient(carrier).RaiseAsync(calls, new CallOptions(cancellationToken: ct));
            Step("5a. Carrier warns", $"carrier-east: 3 spoofed calls through gateway GW-HK-07 to {phone} ({first.AlertId}), tier {AlertCommands.TierName(first.Tier)}: "
                + "sent at once to the Futian district centre and the Shatou police station", true);

            var inbox = new InboxClient(station);
            using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 64 }, new CallOptions(cancellationToken: ct));
            var raisedAt = Stopwatch.GetTimestamp();
            var paused = await new AlertsClient(bank).RaiseAsync(AlertRaiser.Signal("bank", phone, "", Priority.Medium,
                Guid.NewGuid().ToString("N")), new CallOptions(cancellationToken: ct));
            lock (_receipts)
            {
                _receipts.Add(first.Receipt);
                _receipts.Add(paused.Receipt);
            }

            var ok = Step("5b. Bank pauses a transfer", $"bank-alpha paused her CNY 50,000.00 mobile transfer to bank-beta 6222990000007777: "
                + $"fused into {paused.AlertId} ({(paused.Fused ? "same person" : "NOT FUSED")}), tier {AlertCommands.TierName(paused.Tier)}",
                paused.Fused && paused.AlertId == first.AlertId && paused.Tier == Priority.Critical);

            InboxItem? item = null;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                limit.CancelAfter(StepTimeout);
                while (await stream.ResponseStream.MoveNext(limit.Token))
                {
                    if (stream.ResponseStream.Current is { Request.WarnVictim: { } w, Priority: Priority.Critical } current && w.AlertId == first.AlertId)
                    {
                        item = current;
                        break;
                    }
                }
            }

            var took = Stopwatch.GetElapsedTime(raisedAt);
            ok &= Step("5c. Station alerted", item is null ? "the station never got the critical alert"
                : $"police-sz-futian-shatou has it on its stream {took.TotalMilliseconds:F0} ms after the bank's signal: CRITICAL, "
                + $"{item.Request.WarnVictim.Signals.Count} signals, contact {Output.Countdown(item.Deadline, DateTimeOffset.UtcNow)}", item is not null);
            var alerts = new AlertsClient(station);
            await alerts.ClaimAsync(new ClaimAlertRequest { AlertId = first.AlertId }, new CallOptions(cancellationToken: ct));
            var report = await alerts.ReportOutcomeAsync(new ReportOutcomeRequest
            {
                AlertId = first.AlertId,
                Outcome = new AlertOutcome { Kind = AlertOutcomeKind.Dissuaded, Note = "officer arrived 2 minutes after the order, before she confirmed" },
            }, new CallOptions(cancellationToken: ct));
            lock (_receipts)
            {
                _receipts.Add(report.Receipt);
            }

            var feedback = await new AlertsClient(bank).GetAsync(new GetAlertRequest { AlertId = first.AlertId }, new CallOptions(cancellationToken: ct));
            return ok & Step("5d. Victim dissuaded", $"the station reported DISSUADED; bank-alpha reads the outcome: {feedback.HoldAdvice} "
                + "(release the paused money to its customer)", feedback.HoldAdvice == HoldAdvice.ReleaseToCustomer);
        }

        private bool Step(string step, string detail, bool ok)
        {
            var at = _clock.Elapsed;
            _timeline.Add((at, step, detail, ok));
            if (json)
            {
                return ok;
            }

            AnsiConsole.MarkupLine($"[grey]T+{at.TotalSeconds,5:F1}s[/] {(ok ? "[green]✓[/]" : "[red]✗[/]")} [bold]{Markup.Escape(step)}[/]: {Markup.Escape(detail)}");
            return ok;
        }

        private static string Deadline(SubmitResponse reply) => Output.Countdown(reply.Deadline, DateTimeOffset.UtcNow);

        private static string Took(ExchangeRecord r) =>
            r.AnsweredAt is { } a ? $"{(a.ToDateTimeOffset() - r.SubmittedAt.ToDateTimeOffset()).TotalSeconds:F1} s after submission" : "-";

        private async Task<SubmitResponse> Submit(ExchangeClient exchange, string to, Priority priority, LegalBasis basis, Request request,
            bool follow, CancellationToken ct)
        {
            var reply = await exchange.SubmitAsync(new SubmitRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"),
                Recipient = new PartnerRef { Kind = to.StartsWith("bank",
                    StringComparison.Ordinal) ? PartnerKind.Bank : PartnerKind.Carrier, Id = to },
                Priority = priority,
                Case = new CaseRef
                {
                    CaseNumber = _case, LegalBasis = basis, LegalReference = "刑诉法第144条", ApprovingOfficer = "王建国", Confidential = true,
                    FollowTheMoney = follow ? new FollowTheMoney { Enabled = true, MaxDepth = 2, MinAmount = new Money { Currency = "CNY", MinorUnits = 100_000 } } : null,
                },
                Request = request,
            }, new CallOptions(cancellationToken: ct));
            lock (_receipts)
            {
                _receipts.Add(reply.Receipt);
            }

            return reply;
        }

        private Task Watch(ExchangeClient exchange, CancellationToken ct) => Task.Run(async () =>
        {
            // The case does not exist before the first submission: retry until it does.
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var call = exchange.Watch(new WatchRequest { CaseNumber = _case }, new CallOptions(cancellationToken: ct));
                    while (await call.ResponseStream.MoveNext(ct))
                    {
                        _records[call.ResponseStream.Current.ExchangeId] = call.ResponseStream.Current.Snapshot;
                        _changed.Release();
                    }
                }
                catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException)
                {
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }, ct);

        private Task<ExchangeRecord> Answered(string id, CancellationToken ct) =>
            Until(() => _records.TryGetValue(id, out var r) && CaseTable.IsDone(r.State) ? r : null, $"{id} to be answered", ct);

        private async Task<ExchangeRecord> Until(Func<ExchangeRecord?> probe, string what, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (probe() is { } found)
                {
                    return found;
                }

                if (deadline.Elapsed > StepTimeout)
                {
                    throw new TimeoutException($"no {what} within {StepTimeout.TotalSeconds:F0} s");
                }

                await _changed.WaitAsync(TimeSpan.FromMilliseconds(200), ct);
            }
        }
    }
}
