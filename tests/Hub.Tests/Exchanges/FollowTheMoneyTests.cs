using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

public abstract class FollowTheMoneyTests
{
    protected abstract ExchangeFixture NewFixture();

    /// <summary>
    /// Three simulated banks, each answering from its own inbox stream: the victim's money went from a
    /// level-1 account at bank-alpha to a level-2 account at bank-beta, then to a level-3 account at
    /// bank-gamma. One police submission ends with all three holds executed, as one case tree.
    /// </summary>
    [Fact]
    public async Task ThreeBanks_OneSubmission_EndsWithThreeHoldsInOneCaseTree()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var caseRef = Requests.Case("SZ-MONEY", follow: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var options = new CallOptions(cancellationToken: cts.Token);

        // Where each bank says the money went next.
        var onward = new Dictionary<string, Transaction[]>
        {
            ["bank-alpha"] =
            [
                Requests.Onward("T-A1", "bank-beta", "6217000000000002", 300_000_00),
                Requests.Onward("T-A2", "bank-beta", "6217000000000002", 50_000_00),  // same account again: must not be held twice
                Requests.Onward("T-A3", "bank-beta", "6217000000000009", 50_00),      // below the case's threshold
            ],
            ["bank-beta"] = [Requests.Onward("T-B1", "bank-gamma", "6230000000000003", 210_000_00)],
            ["bank-gamma"] = [],
        };
        var banks = new[] { f.BankAlpha, f.BankBeta, f.BankGamma }.Select(bank => Task.Run(async () =>
        {
            using var inbox = bank.Inbox.Subscribe(new SubscribeRequest(), options);
            Assert.True(await inbox.ResponseStream.MoveNext(cts.Token));
            var item = inbox.ResponseStream.Current;
            await bank.Inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId }, options);
            var held = item.Request.Freeze.Amount.MinorUnits;
            return await bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = item.ExchangeId, Result = Requests.Executed(held, onward[bank.Id]) }, options);
        })).ToList();

        var root = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000000001", 560_000_00, Priority.Critical, caseRef), options);
        var answers = await Task.WhenAll(banks);

        Assert.Single(answers[0].FollowUpExchangeIds);
        Assert.Single(answers[1].FollowUpExchangeIds);
        Assert.Empty(answers[2].FollowUpExchangeIds);

        var tree = (await f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-MONEY" }, options)).Exchanges;
        Assert.Equal(3, tree.Count);
        Assert.All(tree, e => Assert.Equal(ExchangeState.Answered, e.State));
        Assert.All(tree, e => Assert.Equal(HoldStatus.Executed, e.Result.Freeze.Status));
        var level1 = tree.Single(e => e.ExchangeId == root.ExchangeId);
        var level2 = tree.Single(e => e.ParentExchangeId == level1.ExchangeId);
        var level3 = tree.Single(e => e.ParentExchangeId == level2.ExchangeId);
        Assert.Equal(("bank-beta", "6217000000000002", 300_000_00L, 1u), (level2.To.Id, level2.Request.Freeze.Account.AccountNumber, level2.Request.Freeze.Amount.MinorUnits, level2.FollowDepth));
        Assert.Equal(("bank-gamma", "6230000000000003", 210_000_00L, 2u), (level3.To.Id, level3.Request.Freeze.Account.AccountNumber, level3.Request.Freeze.Amount.MinorUnits, level3.FollowDepth));
        Assert.All(tree, e => Assert.Equal("police-shenzhen", e.From.Id));
    }

    [Fact]
    public async Task CaseNotOptedIn_OnwardTransfersAreNotFollowed()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000000001", 100_00, caseRef: Requests.Case("SZ-NOFOLLOW")));
        var reply = await f.BankAlpha.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = Requests.Executed(100_00, Requests.Onward("T1", "bank-beta", "6217", 100_00)),
        });
        Assert.Empty(reply.FollowUpExchangeIds);
    }
}

public sealed class GoldenWindowTests
{
    [Fact]
    public async Task FollowUpStopPayments_ShowTheCasesGoldenWindow_NotAFreshTenMinutes()
    {
        await using var f = new ExchangeFixture();
        await f.InitializeAsync();
        var root = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222000000007001", 50_000_00,
            caseRef: Requests.Case("SZ-GOLDEN", follow: true)));
        var rootRecord = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = root.ExchangeId });
        Assert.Equal(rootRecord.Deadline, rootRecord.CaseWindowEndsAt);

        // Later, the first bank answers: the money went on to bank-beta.
        await Task.Delay(1100);
        var answer = await f.BankAlpha.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = root.ExchangeId,
            Result = new Result { StopPayment = Requests.Hold(50_000_00, Requests.Onward("T-G1", "bank-beta", "6217000000007002", 40_000_00)) },
        });
        var hop = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = Assert.Single(answer.FollowUpExchangeIds) });

        // The hop's own deadline runs from when bank-beta was asked; the window it shows is the case's.
        Assert.Equal(rootRecord.Deadline, hop.CaseWindowEndsAt);
        Assert.True(hop.Deadline.ToDateTimeOffset() > rootRecord.Deadline.ToDateTimeOffset());
        var delivered = Assert.Single((await f.BankBeta.Inbox.PeekAsync(new PeekRequest())).Items, i => i.ExchangeId == hop.ExchangeId);
        Assert.Equal(rootRecord.Deadline, delivered.CaseWindowEndsAt);
    }
}

public sealed class FollowTheMoneyTestsOnSqlite : FollowTheMoneyTests
{
    protected override ExchangeFixture NewFixture() => new();
}

public sealed class FollowTheMoneyTestsOnRedis : FollowTheMoneyTests
{
    protected override ExchangeFixture NewFixture() => new RedisExchangeFixture();
}
