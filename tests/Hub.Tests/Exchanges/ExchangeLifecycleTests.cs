using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>
/// Each bank account and case number is unique per test, so the tests share one hub without seeing
/// each other's work except where a bank's inbox is involved; those tests use a bank of their own.
/// </summary>
public abstract class ExchangeLifecycleTests<TFixture>(TFixture f) : IClassFixture<TFixture>
    where TFixture : ExchangeFixture
{
    private static CallOptions Within(int seconds = 20) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Submit_ValidFreeze_IsStoredWithItsTwoHourDeadline()
    {
        var before = DateTimeOffset.UtcNow;
        var reply = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000000001", 35_000_00, caseRef: Requests.Case("SZ-T1")));

        Assert.StartsWith("ex-", reply.ExchangeId, StringComparison.Ordinal);
        Assert.Equal(ExchangeState.Submitted, reply.State);
        Assert.False(reply.Duplicate);
        Assert.InRange(reply.Deadline.ToDateTimeOffset() - before, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(5), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(5));
        var stored = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = reply.ExchangeId });
        Assert.Equal("6222000000000001", stored.Request.Freeze.Account.AccountNumber);
    }

    public static TheoryData<string, Action<SubmitRequest>> InvalidSubmissions() => new()
    {
        { "idempotency_key", r => r.IdempotencyKey = "" },
        { "priority", r => r.Priority = Priority.Unspecified },
        { "case.legal_basis", r => r.Case.LegalBasis = LegalBasis.Unspecified },
        { "case.case_number", r => r.Case.CaseNumber = "" },
        { "case.approving_officer", r => r.Case.ApprovingOfficer = "" },
        { "request.freeze.amount.minor_units", r => r.Request.Freeze.Amount.MinorUnits = -500 },
        { "request.freeze.amount.minor_units", r => r.Request.Freeze.Amount.MinorUnits = 0 },
        { "request.freeze.amount.currency", r => r.Request.Freeze.Amount.Currency = "yuan" },
        { "request.freeze.victim.phone.e164", r => r.Request.Freeze.Victim.Phone.E164 = "13800138000" },
        { "request.freeze.account.bank_id", r => r.Request.Freeze.Account.BankId = "bank-beta" },
        { "recipient.id", r => r.Recipient.Id = "bank-nowhere" },
        { "recipient", r => r.Recipient.Id = "carrier-east" },
        { "request", r => r.Request = new Request() },
    };

    [Theory]
    [MemberData(nameof(InvalidSubmissions))]
    public async Task Submit_Invalid_IsInvalidArgumentNamingTheField(string field, Action<SubmitRequest> spoil)
    {
        var request = Requests.Freeze("bank-alpha", "6222000000000002", 1000_00);
        spoil(request);
        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_EmergencyStopPaymentWithoutAnOfficer_IsAccepted_AndTheLogSaysNoOfficerYet()
    {
        var request = Requests.StopPayment("bank-alpha", "6222000000000090", 49_800_00, Priority.Critical, Requests.Case("SZ-NO-OFFICER"));
        request.Case.ApprovingOfficer = "";
        var reply = await f.Police.Exchange.SubmitAsync(request);

        Assert.Equal(ExchangeState.Submitted, reply.State);
        Assert.Contains(f.Audit.Events, e => e.ExchangeId == reply.ExchangeId && e.Detail.Contains("no approving officer yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_TraceWithBadE164_NamesTheNumber()
    {
        var request = Requests.Trace("carrier-east");
        request.Request.CallTrace.CalledNumber.E164 = "+86 138 0013";
        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("request.call_trace.called_number.e164", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("+86 138 0013", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyTwice_ReturnsTheSameExchange()
    {
        var request = Requests.Freeze("bank-alpha", "6222000000000003", 5000_00, caseRef: Requests.Case("SZ-IDEM"));
        var first = await f.Police.Exchange.SubmitAsync(request);
        var again = await f.Police.Exchange.SubmitAsync(request);

        Assert.Equal(first.ExchangeId, again.ExchangeId);
        Assert.True(again.Duplicate);
        var view = await f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-IDEM" });
        Assert.Single(view.Exchanges);
    }

    [Fact]
    public async Task Submit_SameKeyFromAnotherPoliceCentre_IsADifferentExchange()
    {
        var request = Requests.Freeze("bank-alpha", "6222000000000004", 5000_00, caseRef: Requests.Case("SZ-IDEM2"));
        var mine = await f.Police.Exchange.SubmitAsync(request);
        var theirs = await f.OtherPolice.Exchange.SubmitAsync(request);
        Assert.NotEqual(mine.ExchangeId, theirs.ExchangeId);
    }

    [Fact]
    public async Task FullExchange_PoliceWatchSeesEveryTransitionInOrder_AndTheAnswer()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-gamma", "6222000000000005", 12_000_00, caseRef: Requests.Case("SZ-FLOW", confidential: true)));
        using var watch = f.Police.Exchange.Watch(new WatchRequest { ExchangeId = submitted.ExchangeId }, Within());
        using var inbox = f.BankGamma.Inbox.Subscribe(new SubscribeRequest(), Within());

        Assert.True(await inbox.ResponseStream.MoveNext());
        var item = inbox.ResponseStream.Current;
        Assert.Equal(submitted.ExchangeId, item.ExchangeId);
        Assert.Equal(1u, item.DeliveryAttempt);
        Assert.True(item.Case.Confidential);
        Assert.Equal("police-shenzhen", item.From.Id);

        await f.BankGamma.Inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId });
        var answer = await f.BankGamma.Inbox.RespondAsync(new RespondRequest { ExchangeId = item.ExchangeId, Result = Requests.Executed(12_000_00) });
        Assert.Equal(ExchangeState.Answered, answer.State);

        var states = new List<ExchangeState>();
        while (states.LastOrDefault() != ExchangeState.Answered && await watch.ResponseStream.MoveNext())
        {
            if (watch.ResponseStream.Current.EventCase == WatchEvent.EventOneofCase.Transition)
            {
                states.Add(watch.ResponseStream.Current.Transition.To);
            }
        }

        // The delivery is recorded without holding up the stream: when the bank's Ack is stored first (a busy machine), the
        // exchange goes from SUBMITTED to ACKNOWLEDGED directly (delivered_at is set with it) and there is no DELIVERED transition.
        ExchangeState[] expected = states.Contains(ExchangeState.Delivered)
            ? [ExchangeState.Submitted, ExchangeState.Delivered, ExchangeState.Acknowledged, ExchangeState.Answered]
            : [ExchangeState.Submitted, ExchangeState.Acknowledged, ExchangeState.Answered];
        Assert.Equal(expected, states);
        Assert.Equal(HoldStatus.Executed, watch.ResponseStream.Current.Snapshot.Result.Freeze.Status);
        var record = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId });
        Assert.Equal(12_000_00, record.Result.Freeze.AmountHeld.MinorUnits);
        Assert.NotNull(record.DeliveredAt);
        Assert.NotNull(record.AcknowledgedAt);
        Assert.NotNull(record.AnsweredAt);
    }

    [Fact]
    public async Task Watch_CaseUnderConcurrentUpdates_DeliversEveryEventOnce_InSequenceOrder()
    {
        var caseRef = Requests.Case("SZ-CONCURRENT-" + Guid.NewGuid().ToString("N")[..6]);
        var first = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000050000", 100_00, caseRef: caseRef));
        using var watch = f.Police.Exchange.Watch(new WatchRequest { CaseNumber = caseRef.CaseNumber }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));

        // Commits finish in any order under concurrency; the stream must still miss none and keep sequence order.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string> { first.ExchangeId };
        await Parallel.ForEachAsync(Enumerable.Range(1, 100), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", $"62220000000{50000 + i}", 100_00, caseRef: caseRef));
            ids.Add(submitted.ExchangeId);
            await f.BankBeta.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        });

        var seen = new List<WatchEvent>();
        while (seen.Count < 201 && await watch.ResponseStream.MoveNext())
        {
            seen.Add(watch.ResponseStream.Current);
        }

        Assert.Equal(201, seen.Count);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "events out of sequence order");
        Assert.Equal(ids.Count - 1, seen.Count(e => e.Transition?.To == ExchangeState.Acknowledged));
        Assert.Equal(ids.Count, seen.Count(e => e.Transition?.To == ExchangeState.Submitted));
    }

    [Fact]
    public async Task Watch_ResumedAfterADisconnect_MissesNoEvent()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Trace("carrier-west", caseRef: Requests.Case("SZ-RESUME")));
        ulong last;
        using (var first = f.Police.Exchange.Watch(new WatchRequest { CaseNumber = "SZ-RESUME" }, Within()))
        {
            Assert.True(await first.ResponseStream.MoveNext());
            last = first.ResponseStream.Current.Sequence;
        }

        using var carrier = new Partner(f.Hub, "carrier-west");
        using (var inbox = carrier.Inbox.Subscribe(new SubscribeRequest(), Within()))
        {
            Assert.True(await inbox.ResponseStream.MoveNext());
        }

        await carrier.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = new Result { CallTrace = new CallTraceResult { Status = TraceStatus.Found, CallerIdSpoofed = true } },
        });

        using var resumed = f.Police.Exchange.Watch(new WatchRequest { CaseNumber = "SZ-RESUME", AfterSequence = last }, Within());
        var seen = new List<(ulong Seq, ExchangeState To)>();
        while (seen.Count < 2 && await resumed.ResponseStream.MoveNext())
        {
            seen.Add((resumed.ResponseStream.Current.Sequence, resumed.ResponseStream.Current.Transition.To));
        }

        Assert.Equal([ExchangeState.Delivered, ExchangeState.Answered], seen.Select(s => s.To));
        Assert.All(seen, s => Assert.True(s.Seq > last));
    }

    [Fact]
    public async Task Respond_WrongResultKind_IsInvalidArgument_AndASecondDifferentAnswerIsRefused()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000000006", 100_00, caseRef: Requests.Case("SZ-WRONG")));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = new Result { CallTrace = new CallTraceResult { Status = TraceStatus.Found } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, wrong.StatusCode);
        Assert.Contains("result.freeze", wrong.Status.Detail, StringComparison.Ordinal);

        var result = Requests.Executed(100_00);
        await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = result });
        var repeat = await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = result });
        Assert.Equal(ExchangeState.Answered, repeat.State);

        var different = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = Requests.Executed(1),
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, different.StatusCode);
    }

    [Fact]
    public async Task Reject_IsRecordedWithItsReason()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000000007", 100_00, caseRef: Requests.Case("SZ-REJ")));
        var reply = await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, RejectionReason = "legal reference does not match a registered case" });
        Assert.Equal(ExchangeState.Rejected, reply.State);
        var record = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId });
        Assert.Equal("legal reference does not match a registered case", record.StateReason);
    }

    [Fact]
    public async Task Cancel_WithdrawsTheExchange_AndTheBankNoLongerGetsIt()
    {
        using var bank = new Partner(f.Hub, "bank-beta");
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000000008", 100_00, Priority.Critical, Requests.Case("SZ-CANCEL")));
        var cancelled = await f.Police.Exchange.CancelAsync(new CancelExchangeRequest { ExchangeId = submitted.ExchangeId, Reason = "victim found the money" });
        Assert.Equal(ExchangeState.Cancelled, cancelled.State);

        var answer = await Assert.ThrowsAsync<RpcException>(() => bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(1) }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, answer.StatusCode);
    }
}

public sealed class ExchangeLifecycleTestsOnSqlite(ExchangeFixture f) : ExchangeLifecycleTests<ExchangeFixture>(f);

public sealed class ExchangeLifecycleTestsOnRedis(RedisExchangeFixture f) : ExchangeLifecycleTests<RedisExchangeFixture>(f);
