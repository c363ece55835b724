using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Alerts;

/// <summary>
/// Early warning and dissuasion end to end over mTLS, with the repository's registry (the Shenzhen
/// hierarchy), masking and alert policy, on a manual clock. Runs on SQLite and on Redis.
/// </summary>
public abstract class AlertTests : IAsyncLifetime
{
    protected virtual string[] StoreSettings => [];

    private readonly ClockedHub _env = new();

    private Partner As(string id) => _env.As(id);

    public async Task InitializeAsync()
    {
        await _env.StartAsync(StoreSettings);
        await _env.Hub.Services.GetRequiredService<DeadlineTracker>().Armed;
        await _env.Hub.Services.GetRequiredService<AlertWatchdog>().Recovered;
    }

    public virtual async Task DisposeAsync() => await _env.DisposeAsync();

    private static string UniquePhone() => "+86139" + Random.Shared.Next(10_000_000, 99_999_999);

    private async Task<PeekResponse> Peek(string unit) => await As(unit).Inbox.PeekAsync(new PeekRequest { MaxItems = 500 });

    private async Task<InboxItem?> ItemFor(string unit, string alertId) =>
        (await Peek(unit)).Items.FirstOrDefault(i => i.Request.WarnVictim.AlertId == alertId);

    [Fact]
    public async Task CarrierThenPausedTransfer_FuseIntoOneCriticalAlert_AndTheTierIsNeverLowered()
    {
        var phone = UniquePhone();
        var id = "44030419900101" + Random.Shared.Next(100, 999) + "X";
        var first = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(phone, nationalId: id), Priority.High));
        Assert.False(first.Fused);
        Assert.Equal(Priority.High, first.Tier);
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.AlertRaised && e.CaseNumber == first.AlertId && e.Actor?.Id == "carrier-east");

        // First found, first pushed: the district and the station have it before the carrier hears back.
        var district = await ItemFor("police-sz-futian", first.AlertId);
        var station = await ItemFor("police-sz-futian-shatou", first.AlertId);
        Assert.NotNull(district);
        Assert.NotNull(station);
        Assert.Equal(AlertRole.District, district.Request.WarnVictim.Role);
        Assert.Equal(AlertRole.Station, station.Request.WarnVictim.Role);
        Assert.Equal(Priority.High, station.Priority);
        Assert.Equal(_env.Clock.GetUtcNow().AddMinutes(15), station.Deadline.ToDateTimeOffset());

        // The bank knows the same person by her ID number (written in lower case) and her account, not her phone.
        _env.Clock.Advance(TimeSpan.FromMinutes(4));
        var byId = new PotentialVictim
        {
            Person = new Person { NationalId = id.ToLowerInvariant() },
            Account = new AccountRef { AccountNumber = "6222000033334444" },
        };
        var second = await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(byId));
        Assert.True(second.Fused);
        Assert.Equal(first.AlertId, second.AlertId);
        Assert.Equal(Priority.Critical, second.Tier);

        station = await ItemFor("police-sz-futian-shatou", first.AlertId);
        Assert.NotNull(station);
        Assert.Equal(Priority.Critical, station.Priority);
        Assert.Equal(1u, station.Request.WarnVictim.Revision);
        Assert.Equal(2, station.Request.WarnVictim.Signals.Count);
        Assert.Contains("fraud-call-then-paused-transfer", station.Request.WarnVictim.TierReason);
        // The critical contact deadline (5 minutes from dispatch, 4 of them gone) replaces the high one (15 minutes).
        Assert.Equal(_env.Clock.GetUtcNow().AddMinutes(1), station.Deadline.ToDateTimeOffset());

        // A later, milder signal joins but never lowers the tier.
        var third = await As("carrier-west").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(phone), Priority.Low));
        Assert.True(third.Fused);
        Assert.Equal(Priority.Critical, third.Tier);
        var alert = await As("police-sz-futian").Alerts.GetAsync(new GetAlertRequest { AlertId = first.AlertId });
        Assert.Equal(3u, alert.SignalCount);
        Assert.Equal(Priority.Critical, alert.Tier);
        Assert.Equal(2, alert.Assignments.Count);

        // Outside the fusion window (30 minutes) a signal starts a new alert.
        _env.Clock.Advance(TimeSpan.FromMinutes(31));
        var late = await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(AlertSignals.Victim(phone)));
        Assert.False(late.Fused);
        Assert.NotEqual(first.AlertId, late.AlertId);
    }

    [Fact]
    public async Task Raise_IsIdempotentPerRaiserAndKey()
    {
        var request = AlertSignals.Calls(AlertSignals.Victim(UniquePhone()));
        var first = await As("carrier-east").Alerts.RaiseAsync(request);
        var again = await As("carrier-east").Alerts.RaiseAsync(request);
        Assert.True(again.Duplicate);
        Assert.Equal(first.AlertId, again.AlertId);
        Assert.Equal(first.SignalId, again.SignalId);
        var alert = await As("police-sz-futian").Alerts.GetAsync(new GetAlertRequest { AlertId = first.AlertId });
        Assert.Equal(1u, alert.SignalCount);
        Assert.Single(_env.Audit.Events, e => e.Kind == AuditEventKind.AlertRaised && e.CaseNumber == first.AlertId);
    }

    [Theory]
    [InlineData("440305005", new[] { "police-sz-nanshan", "police-sz-nanshan-yuehai" })]
    [InlineData("440305", new[] { "police-sz-nanshan" })]
    [InlineData("440304777", new[] { "police-sz-futian" })]
    [InlineData("", new[] { "police-shenzhen" })]
    [InlineData("440106001", new[] { "police-guangzhou" })]
    public async Task Alerts_AreRoutedByDivisionCode_OrGoToTheCityCentresLocateQueue(string division, string[] units)
    {
        var raised = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(UniquePhone(), division)));
        var alert = await As(units[0]).Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
        Assert.Equal(units, alert.Assignments.Select(a => a.Unit.Id));
        if (division.Length == 0)
        {
            Assert.Equal(AlertRole.Locate, alert.Assignments[0].Role);
        }

        foreach (var unit in units)
        {
            Assert.NotNull(await ItemFor(unit, raised.AlertId));
        }
    }

    [Fact]
    public async Task MissedContactDeadline_EscalatesToTheParentUnit_Once()
    {
        var raised = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(UniquePhone(), "440304"), Priority.High));
        using var watch = As("police-shenzhen").Exchange.Watch(new WatchRequest { CaseNumber = raised.AlertId },
            new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        Assert.True(await watch.ResponseStream.MoveNext());

        _env.Clock.Advance(TimeSpan.FromMinutes(16));
        var escalated = false;
        while (!escalated && await watch.ResponseStream.MoveNext())
        {
            escalated = watch.ResponseStream.Current.Escalation?.Level == EscalationLevel.DeadlinePassed;
        }

        Assert.True(escalated, "the city centre watching the alert saw the missed deadline");
        AlertView alert = null!;
        InboxItem? item = null;
        for (var i = 0; i < 200 && item is null; i++)
        {
            // The parent's instruction is planned into the alert first, then opened: wait for both.
            alert = await As("police-shenzhen").Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
            item = alert.Assignments.Count == 2 ? await ItemFor("police-shenzhen", raised.AlertId) : null;
            await Task.Delay(item is null ? 25 : 0);
        }

        Assert.NotNull(item);
        Assert.Equal(["police-sz-futian", "police-shenzhen"], alert.Assignments.Select(a => a.Unit.Id));
        Assert.Equal(AlertRole.Escalated, alert.Assignments[1].Role);
        Assert.Equal(AlertRole.Escalated, item.Request.WarnVictim.Role);
        Assert.Equal(ExchangeState.Expired, alert.Assignments[0].State);

        // The district can still report; that closes the city centre's instruction too.
        var report = await As("police-sz-futian").Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = raised.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.Dissuaded, Note = "reached her at home" },
        });
        Assert.Equal(AlertState.Closed, report.Alert.State);
        Assert.Null(await ItemFor("police-shenzhen", raised.AlertId));
        _env.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Single(_env.Audit.Events, e => e.Kind == AuditEventKind.Expired && e.CaseNumber == raised.AlertId);
    }

    [Fact]
    public async Task StationReportsDissuaded_TheBankLearnsToReleaseTheHold()
    {
        var phone = UniquePhone();
        await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(phone)));
        var raised = await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(AlertSignals.Victim(phone)));
        var station = As("police-sz-futian-shatou");

        using (var stream = station.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 1 }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20))))
        {
            Assert.True(await stream.ResponseStream.MoveNext());
        }

        var claimed = await station.Alerts.ClaimAsync(new ClaimAlertRequest { AlertId = raised.AlertId });
        Assert.Equal(AlertState.Claimed, claimed.State);
        await station.Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = raised.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.ContactedByPhone },
        });
        var done = await station.Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = raised.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.Dissuaded, Note = "officer arrived before the transfer" },
        });
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.AlertOutcome && e.CaseNumber == raised.AlertId
            && e.Detail.StartsWith("Dissuaded", StringComparison.Ordinal));

        var bankView = await As("bank-alpha").Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
        Assert.Equal(AlertState.Closed, bankView.State);
        Assert.Equal(HoldAdvice.ReleaseToCustomer, bankView.HoldAdvice);
        Assert.Equal(AlertOutcomeKind.Dissuaded, bankView.Outcomes.Last().Kind);
        Assert.Equal("[REDACTED]", bankView.Outcomes.Last().Note);

        // A closed alert takes no second final outcome.
        var again = await Assert.ThrowsAsync<RpcException>(() => station.Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = raised.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.FalsePositive },
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);

        var figures = await As("auditor-national").Operations.GetAlertFiguresAsync(new GetAlertFiguresRequest());
        var row = figures.Rows.Single(r => r.Dimension == "raiser" && r.Key == "bank-alpha");
        Assert.True(row.Dissuaded >= 1);
        Assert.True(row.Saved.MinorUnits >= 50_000_00);
    }

    [Fact]
    public async Task AlreadyTransferred_OpensAStopPaymentInTheSameCase_InOneStep()
    {
        var raised = await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(AlertSignals.Victim(UniquePhone()), paused: false));
        var report = await As("police-sz-futian-shatou").Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = raised.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.AlreadyTransferred },
            OpenStopPayment = true,
        });
        Assert.StartsWith("ex-", report.StopPaymentExchangeId);
        var item = (await Peek("bank-beta")).Items.Single(i => i.ExchangeId == report.StopPaymentExchangeId);
        Assert.Equal(Request.KindOneofCase.StopPayment, item.Request.KindCase);
        Assert.Equal("6222990000007777", item.Request.StopPayment.Account.AccountNumber);
        Assert.Equal(50_000_00, item.Request.StopPayment.Amount.MinorUnits);
        var view = await As("police-sz-futian-shatou").Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = raised.AlertId });
        Assert.Contains(view.Exchanges, e => e.ExchangeId == report.StopPaymentExchangeId && e.Case.FollowTheMoney.Enabled);
        Assert.Equal(HoldAdvice.KeepHolding, report.Alert.HoldAdvice);
    }

    [Fact]
    public async Task Refusals_OtherDistrictsStation_AnUninvolvedBank_AndTheWrongSignalKind()
    {
        var phone = UniquePhone();
        var raised = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(phone)));
        await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(AlertSignals.Victim(phone)));

        async Task<StatusCode> Code(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;
        var get = new GetAlertRequest { AlertId = raised.AlertId };
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => As("police-sz-nanshan-yuehai").Alerts.GetAsync(get).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => As("bank-beta").Alerts.GetAsync(get).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => As("police-sz-nanshan-yuehai").Alerts.ReportOutcomeAsync(
            new ReportOutcomeRequest { AlertId = raised.AlertId, Outcome = new AlertOutcome { Kind = AlertOutcomeKind.FalsePositive } })
            .ResponseAsync));
        Assert.DoesNotContain((await As("bank-beta").Alerts.ListAsync(new ListAlertsRequest())).Alerts, a => a.AlertId == raised.AlertId);

        // A carrier cannot raise a bank's signal, a district cannot raise analysis, nobody submits a dissuasion instruction.
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => As("carrier-east").Alerts.RaiseAsync(
            AlertSignals.PausedTransfer(AlertSignals.Victim(phone))).ResponseAsync));
        var analysis = new RaiseAlertRequest
        {
            IdempotencyKey = Requests.NewKey(),
            Victim = AlertSignals.Victim(phone),
            Signal = new AlertSignal { Analysis = new AnalysisSignal { Model = "m1" } },
        };
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => As("police-sz-futian").Alerts.RaiseAsync(analysis).ResponseAsync));
        Assert.False((await As("police-shenzhen").Alerts.RaiseAsync(analysis)).Duplicate);
        var submit = await Assert.ThrowsAsync<RpcException>(() => As("police-shenzhen").Exchange.SubmitAsync(new SubmitRequest
        {
            IdempotencyKey = Requests.NewKey(),
            Recipient = new PartnerRef { Kind = PartnerKind.Police, Id = "police-sz-futian" },
            Priority = Priority.High,
            Case = Requests.Case(),
            Request = new Request { WarnVictim = new DissuasionInstruction { AlertId = raised.AlertId } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, submit.StatusCode);
        Assert.Contains("request.warn_victim", submit.Status.Detail);

        // Bad input names the field.
        var noVictim = AlertSignals.Calls(new PotentialVictim { Person = new Person { Name = "x" } });
        var bad = await Assert.ThrowsAsync<RpcException>(() => As("carrier-east").Alerts.RaiseAsync(noVictim).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("victim:", bad.Status.Detail);
        var badCode = AlertSignals.Calls(AlertSignals.Victim(phone, "4403"));
        bad = await Assert.ThrowsAsync<RpcException>(() => As("carrier-east").Alerts.RaiseAsync(badCode).ResponseAsync);
        Assert.StartsWith("victim.division_code:", bad.Status.Detail);
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.Denied && e.Actor?.Id == "bank-beta");
    }

    [Fact]
    public async Task ACriticalAlert_OvertakesTenThousandLowTierAlerts()
    {
        const int backlog = 10_000;
        var next = 0;
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            var carrier = As("carrier-west");
            while (Interlocked.Increment(ref next) is var i && i <= backlog)
            {
                await carrier.Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim($"+86137{i:D8}", "440305"), Priority.Low));
            }
        })).ToList();
        await Task.WhenAll(workers);
        var critical = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(UniquePhone(), "440305"),
            Priority.Critical));

        var district = As("police-sz-nanshan");
        var peek = await district.Inbox.PeekAsync(new PeekRequest { MaxItems = 1 });
        Assert.Equal((uint)backlog + 1, peek.Outstanding);
        using var stream = district.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 1 }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        Assert.True(await stream.ResponseStream.MoveNext());
        Assert.Equal(critical.AlertId, stream.ResponseStream.Current.Request.WarnVictim.AlertId);
        Assert.Equal(Priority.Critical, stream.ResponseStream.Current.Priority);
    }

    [Fact]
    public async Task ADispatchInterruptedAfterTheCommit_IsFinishedByTheRaisersRetry()
    {
        var request = AlertSignals.Calls(AlertSignals.Victim(UniquePhone(), "440305005"));
        _env.Audit.FailNext(1, e => e.Kind == AuditEventKind.Submitted && e.Detail.StartsWith("dissuasion instruction", StringComparison.Ordinal));
        var failed = await Assert.ThrowsAsync<RpcException>(() => As("carrier-east").Alerts.RaiseAsync(request).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, failed.StatusCode);

        var retried = await As("carrier-east").Alerts.RaiseAsync(request);
        Assert.True(retried.Duplicate);
        var alert = await As("police-sz-nanshan").Alerts.GetAsync(new GetAlertRequest { AlertId = retried.AlertId });
        Assert.Equal(["police-sz-nanshan", "police-sz-nanshan-yuehai"], alert.Assignments.Select(a => a.Unit.Id));
        Assert.NotNull(await ItemFor("police-sz-nanshan-yuehai", retried.AlertId));
        Assert.NotNull(await ItemFor("police-sz-nanshan", retried.AlertId));
    }

    [Fact]
    public async Task EachReaderSeesTheAlertMaskedForIt()
    {
        var phone = UniquePhone();
        var victim = AlertSignals.Victim(phone, nationalId: "440304199001011234");
        var raised = await As("carrier-east").Alerts.RaiseAsync(AlertSignals.Calls(victim));
        await As("bank-alpha").Alerts.RaiseAsync(AlertSignals.PausedTransfer(AlertSignals.Victim(phone, account: "6222000011112222")));

        // The station must reach her: phone, name and address in clear, the ID number partially.
        var station = await ItemFor("police-sz-futian-shatou", raised.AlertId);
        Assert.NotNull(station);
        var person = station.Request.WarnVictim.Victim.Person;
        Assert.Equal(phone, person.Phone.E164);
        Assert.Equal("陈阿姨", person.Name);
        Assert.Equal("深圳市福田区沙头街道 8 号", person.Address);
        Assert.EndsWith("011234", person.NationalId);
        Assert.NotEqual("440304199001011234", person.NationalId);
        Assert.Contains(station.Request.WarnVictim.Signals, s => s.BankTransfer?.Payee.AccountNumber == "6222990000007777");

        // The carrier sees its own signal and its own description, never the bank's transfer or account.
        var carrier = await As("carrier-east").Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
        Assert.Equal(2u, carrier.SignalCount);
        Assert.Single(carrier.Signals);
        Assert.Equal(AlertSignal.KindOneofCase.SuspiciousCalls, carrier.Signals[0].KindCase);
        Assert.Null(carrier.Victim.Account);
        // No account number (they start with 6222) anywhere in its view; a 6222 inside a hex id or hash is not one.
        Assert.DoesNotMatch("(?<![0-9a-f])6222", carrier.ToString());
        var bank = await As("bank-alpha").Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
        Assert.Single(bank.Signals);
        Assert.DoesNotContain("+85230001234", bank.ToString());
        Assert.DoesNotContain("440304199001011234", bank.ToString());

        // Auditors follow it as pseudonyms.
        var auditor = await As("auditor-national").Alerts.GetAsync(new GetAlertRequest { AlertId = raised.AlertId });
        Assert.NotEqual(phone, auditor.Victim.Person.Phone.E164);
        Assert.NotEqual("陈阿姨", auditor.Victim.Person.Name);
        Assert.Equal(2, auditor.Signals.Count);
    }
}

public sealed class SqliteAlertTests : AlertTests;

public sealed class RedisAlertTests : AlertTests, IDisposable
{
    private readonly RedisServer _redis = RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public void Dispose() => _redis.Dispose();
}
