using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>Each test uses its own hub, so a bank's inbox holds only that test's work.</summary>
public abstract class DeliveryTests
{
    protected abstract ExchangeFixture NewFixture();

    private static CallOptions Within(int seconds = 60) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Redelivery_AfterADroppedStream_TheUnacknowledgedItemComesAgain()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000001001", 500_00));

        using (var first = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest(), Within()))
        {
            Assert.True(await first.ResponseStream.MoveNext());
            Assert.Equal(submitted.ExchangeId, first.ResponseStream.Current.ExchangeId);
            Assert.Equal(1u, first.ResponseStream.Current.DeliveryAttempt);
        }

        using var second = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest(), Within());
        Assert.True(await second.ResponseStream.MoveNext());
        Assert.Equal(submitted.ExchangeId, second.ResponseStream.Current.ExchangeId);
        Assert.Equal(2u, second.ResponseStream.Current.DeliveryAttempt);

        await f.BankAlpha.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        second.Dispose();

        using var third = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(1)));
        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => third.ResponseStream.MoveNext());
        Assert.Equal(Grpc.Core.StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Priority_CriticalStopPayment_OvertakesTenThousandQueuedLowTierItems()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var caseRef = Requests.Case("SZ-BACKLOG");
        var low = Enumerable.Range(0, 10_000).Select(i => Requests.Freeze("bank-alpha", $"62220000{i:D8}", 100_00, Priority.Low, caseRef)).ToList();
        await Parallel.ForEachAsync(low, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (r, ct) => await f.Police.Exchange.SubmitAsync(r));

        // The bank is online and working through the backlog with a small window when the critical notice arrives.
        using var inbox = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 4 }, Within());
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await inbox.ResponseStream.MoveNext());
            Assert.Equal(Priority.Low, inbox.ResponseStream.Current.Priority);
        }

        var critical = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222999999999999", 350_000_00, Priority.Critical, caseRef));
        await f.BankAlpha.Inbox.AckAsync(new AckRequest { ExchangeId = inbox.ResponseStream.Current.ExchangeId });

        Assert.True(await inbox.ResponseStream.MoveNext());
        Assert.Equal(critical.ExchangeId, inbox.ResponseStream.Current.ExchangeId);
        Assert.Equal(Priority.Critical, inbox.ResponseStream.Current.Priority);
    }

    [Fact]
    public async Task Priority_OfflineBank_GetsCriticalBeforeHighBeforeMediumBeforeLow_OnConnect()
    {
        await using var f = NewFixture();
        await f.InitializeAsync();
        var order = new[] { Priority.Low, Priority.Medium, Priority.Low, Priority.High, Priority.Critical, Priority.Medium };
        var ids = new List<(Priority P, string Id)>();
        foreach (var p in order)
        {
            ids.Add((p, (await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222" + ids.Count, 100_00, p))).ExchangeId));
        }

        using var inbox = f.BankBeta.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 100 }, Within());
        var got = new List<string>();
        while (got.Count < order.Length && await inbox.ResponseStream.MoveNext())
        {
            got.Add(inbox.ResponseStream.Current.ExchangeId);
        }

        var expected = ids.OrderBy(x => (int)x.P).Select(x => x.Id).ToList(); // stable: submission order within a tier
        Assert.Equal(expected, got);
    }
}

public sealed class DeliveryTestsOnSqlite : DeliveryTests
{
    protected override ExchangeFixture NewFixture() => new();
}

public sealed class DeliveryTestsOnRedis : DeliveryTests
{
    protected override ExchangeFixture NewFixture() => new RedisExchangeFixture();
}
