using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>
/// Returning held money to the victim (资金返还) end to end: a stop-payment, then a freeze of the same money, then a return out of
/// the freeze, with the case's money view adding up; and every way a return could pay money it must not.
/// </summary>
public abstract class FundReturnTests
{
    protected abstract ExchangeFixture NewFixture();

    private const string Held = "6222020200112233";
    private const string VictimsOwn = "6217009900001111";

    private static SubmitRequest Return(string holdId, long fen, string bank = "bank-alpha", CaseRef? caseRef = null) => new()
    {
        IdempotencyKey = Requests.NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = Priority.Medium,
        Case = caseRef ?? Requests.Case("SZ-RETURN"),
        Request = new Request
        {
            FundReturn = new FundReturn
            {
                HoldExchangeId = holdId,
                Account = new AccountRef { BankId = bank, AccountNumber = Held },
                Amount = new Money { Currency = "CNY", MinorUnits = fen },
                VictimAccount = new AccountRef { BankId = "bank-beta", AccountNumber = VictimsOwn, AccountName = "李小梅" },
                Victim = Requests.Victim(),
                DecisionReference = "深公(南)返字〔2026〕042号",
            },
        },
    };

    private static Result Returned(long fen) => new()
    {
        FundReturn = new FundReturnResult
        {
            Status = fen > 0 ? ReturnStatus.Returned : ReturnStatus.NotHeld,
            AmountReturned = new Money { Currency = "CNY", MinorUnits = fen },
            ReturnedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
            TransferReference = "RTN-0001",
        },
    };

    [Fact]
    public async Task StopPayment_ThenFreeze_ThenReturn_TheCasesMoneyAddsUp()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var caseRef = Requests.Case("SZ-RETURN");
        caseRef.ReportedLoss = new Money { Currency = "CNY", MinorUnits = 200_000_00 };

        // The golden minutes: 49,800 stopped; then the same money frozen; 1,200 of it already left for a bank outside the hub.
        var stop = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", Held, 49_800_00, caseRef: caseRef));
        await f.BankAlpha.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = stop.ExchangeId,
            Result = new Result { StopPayment = Requests.Hold(49_800_00, Requests.Onward("T-OUT", "bank-offshore", "HK0012345678", 1_200_00)) },
        });
        var freeze = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", Held, 49_800_00, caseRef: caseRef));
        await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = freeze.ExchangeId, Result = Requests.Executed(49_800_00) });

        // The return decision: 30,000 back to the victim's own account at bank-beta, out of the freeze.
        var order = await f.Police.Exchange.SubmitAsync(Return(freeze.ExchangeId, 30_000_00, caseRef: caseRef));
        var delivered = await f.BankAlpha.Inbox.PeekAsync(new PeekRequest());
        var item = Assert.Single(delivered.Items, i => i.ExchangeId == order.ExchangeId);
        // The bank must pay into the victim's account: it sees it whole; the victim's identifiers stay partial.
        Assert.Equal(VictimsOwn, item.Request.FundReturn.VictimAccount.AccountNumber);
        Assert.NotEqual(Requests.Victim().NationalId, item.Request.FundReturn.Victim.NationalId);
        var answer = await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = order.ExchangeId, Result = Returned(30_000_00) });
        Assert.Equal(ExchangeState.Answered, answer.State);

        var money = (await f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-RETURN" })).Money;
        Assert.Equal(200_000_00, money.ReportedLoss.MinorUnits);
        Assert.Equal(49_800_00, money.Stopped.MinorUnits);
        Assert.Equal(49_800_00, money.Frozen.MinorUnits);
        Assert.Equal(30_000_00, money.Returned.MinorUnits);
        Assert.Equal(0, money.Released.MinorUnits);
        Assert.Equal(0.15, money.RecoveryRate, 9);
        var exit = Assert.Single(money.TrailLeftNetwork);
        Assert.Equal(stop.ExchangeId, exit.ExchangeId);
        Assert.Equal("bank-offshore", exit.Transfer.Counterparty.BankId);
        Assert.Equal(1_200_00, exit.Transfer.Amount.MinorUnits);

        // The freeze has 19,800 left: a return of 20,000 is refused, naming the field and the figures; 19,800 is taken.
        var over = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(Return(freeze.ExchangeId, 20_000_00, caseRef: caseRef)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, over.StatusCode);
        Assert.Contains("request.fund_return.amount.minor_units", over.Status.Detail);
        Assert.Contains("1980000 left", over.Status.Detail);
        var rest = await f.Police.Exchange.SubmitAsync(Return(freeze.ExchangeId, 19_800_00, caseRef: caseRef));

        // While that order is open its amount is spoken for: nothing more can be ordered out of the freeze.
        var twice = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(Return(freeze.ExchangeId, 1_00, caseRef: caseRef)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        Assert.Contains("0 left", twice.Status.Detail);

        // The bank answers it paid more than asked: INVALID_ARGUMENT naming the field.
        var tooMuch = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(
            new RespondRequest { ExchangeId = rest.ExchangeId, Result = Returned(19_800_01) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooMuch.StatusCode);
        Assert.Contains("result.fund_return.amount_returned.minor_units", tooMuch.Status.Detail);
        await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = rest.ExchangeId, Result = Returned(19_800_00) });
        money = (await f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-RETURN" })).Money;
        Assert.Equal(49_800_00, money.Returned.MinorUnits);
        Assert.Equal(0.249, money.RecoveryRate, 9);
    }

    [Fact]
    public async Task Returns_OnlyOutOfTheCallersOwnAnsweredHold_AtItsBank()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var hold = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", Held, 10_000_00, caseRef: Requests.Case("SZ-RETURN")));

        // Not answered yet: nothing is held, nothing can be returned.
        var unanswered = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(Return(hold.ExchangeId, 1_00)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, unanswered.StatusCode);
        Assert.Contains("request.fund_return.hold_exchange_id", unanswered.Status.Detail);
        Assert.Contains("holds no money", unanswered.Status.Detail);

        await f.BankAlpha.Inbox.RespondAsync(new RespondRequest { ExchangeId = hold.ExchangeId, Result = Requests.Executed(10_000_00) });

        // Another centre cannot order money out of this centre's hold.
        var stranger = await Assert.ThrowsAsync<RpcException>(() => f.OtherPolice.Exchange.SubmitAsync(Return(hold.ExchangeId, 1_00)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);
        // Nor at another bank than the one holding it.
        var elsewhere = Return(hold.ExchangeId, 1_00, bank: "bank-beta");
        var wrongBank = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(elsewhere).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, wrongBank.StatusCode);
        Assert.Contains("went to 'bank-alpha'", wrongBank.Status.Detail);
        // A return names the victim's own account and the decision behind it.
        var incomplete = Return(hold.ExchangeId, 1_00);
        incomplete.Request.FundReturn.DecisionReference = "";
        var noDecision = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(incomplete).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noDecision.StatusCode);
        Assert.Contains("request.fund_return.decision_reference", noDecision.Status.Detail);
        var intoHeld = Return(hold.ExchangeId, 1_00);
        intoHeld.Request.FundReturn.VictimAccount = new AccountRef { BankId = "bank-alpha", AccountNumber = Held };
        var circular = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(intoHeld).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, circular.StatusCode);
        Assert.Contains("request.fund_return.victim_account", circular.Status.Detail);
    }
}

public sealed class FundReturnTestsOnSqlite : FundReturnTests
{
    protected override ExchangeFixture NewFixture() => new();
}

public sealed class FundReturnTestsOnRedis : FundReturnTests
{
    protected override ExchangeFixture NewFixture() => new RedisExchangeFixture();
}
