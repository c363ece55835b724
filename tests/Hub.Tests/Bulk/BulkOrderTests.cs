using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Bulk;

/// <summary>Bulk suspension and restriction orders end to end over mTLS, on a manual clock: the police upload in chunks, the
/// carrier or bank fetches and answers item by item, the police watch the progress. Runs on SQLite and on Redis.</summary>
public abstract class BulkOrderTests : IAsyncLifetime
{
    protected virtual string[] StoreSettings => [];

    private readonly ClockedHub _env = new();

    private Partner As(string id) => _env.As(id);

    private BulkOrdersClient Bulk(string id) => new(As(id).Channel);

    public async Task InitializeAsync() => await _env.StartAsync([.. StoreSettings, "--Hub:Bulk:MaxUnfinishedUploads=2"]);

    public virtual async Task DisposeAsync() => await _env.DisposeAsync();

    private Task<BulkUploadAck> Send(BulkOrderHeader header, Func<uint, BulkItem> make, uint? upTo = null, string police = "police-shenzhen") =>
        BulkTransfer.SendAsync(Bulk(police), header, after => BulkOrderData.Items(after, upTo ?? header.Order.TotalItems, make));

    [Fact]
    public async Task ACarrierOrder_IsFetchedAndAnsweredItemByItem_AndThePoliceSeeEveryResult()
    {
        const uint total = 2500;
        var acks = new List<BulkUploadAck>();
        var last = await BulkTransfer.SendAsync(Bulk("police-shenzhen"), BulkOrderData.Numbers("carrier-east", total),
            after => BulkOrderData.Items(after, total, BulkOrderData.NumberItem), new SynchronousProgress<BulkUploadAck>(acks.Add));
        Assert.True(last.Complete);
        Assert.Equal(total, last.Received);
        Assert.Single(_env.Audit.Events, e => e.Kind == AuditEventKind.Submitted && e.ExchangeId == last.OrderId);
        Assert.Equal([0u, 1000u, 2000u, 2500u], acks.Select(a => a.Received));

        // The order reaches the carrier's inbox like any request: one item, with its deadline, not its 2,500 numbers.
        var peeked = await As("carrier-east").Inbox.PeekAsync(new PeekRequest());
        var item = Assert.Single(peeked.Items, i => i.ExchangeId == last.OrderId);
        Assert.Equal(total, item.Request.BulkOrder.TotalItems);
        Assert.Equal(BulkOrderKind.SuspendNumbers, item.Request.BulkOrder.Kind);

        var fetched = await BulkTransfer.FetchAsync(Bulk("carrier-east"), last.OrderId).ToListAsync();
        Assert.Equal(Enumerable.Range(1, (int)total).Select(n => (uint)n), fetched.Select(i => i.ItemNo));
        Assert.Equal(BulkOrderData.Phone(1234), fetched[1233].Number.E164);
        // The officer's free-text note stays with the police (masking.json: free text outside the unit).
        Assert.NotEqual("card-cutting batch 7", fetched[0].Note);

        // Answered in two passes, out of order, the second repeating part of the first (a retry after a crash): nothing counts twice.
        var first = await BulkTransfer.AnswerAsync(Bulk("carrier-east"), last.OrderId,
            BulkOrderData.Results(Enumerable.Range(1, 1500).Select(n => (uint)(1501 - n))));
        Assert.False(first!.Complete);
        Assert.Equal(1500u, first.Counts.Answered);
        var second = await BulkTransfer.AnswerAsync(Bulk("carrier-east"), last.OrderId,
            BulkOrderData.Results(Enumerable.Range(1001, 1500).Select(n => (uint)n)));
        Assert.True(second!.Complete);
        Assert.Equal(ExchangeState.Answered, second.State);
        Assert.Equal(BulkOrderData.Expected(total), second.Counts);

        var record = await As("police-shenzhen").Exchange.GetAsync(new GetExchangeRequest { ExchangeId = last.OrderId });
        Assert.Equal(ExchangeState.Answered, record.State);
        Assert.Equal(BulkOrderData.Expected(total), record.Result.BulkOrder);

        var rows = await BulkTransfer.ReadResultsAsync(Bulk("police-shenzhen"), last.OrderId).ToListAsync();
        Assert.Equal((int)total, rows.Count);
        Assert.All(rows, r => Assert.Equal(BulkOrderData.Result(r.Item.ItemNo).Outcome, r.Result.Outcome));
        Assert.Equal("subscriber is a hospital switchboard", rows[96].Result.Reason);

        // The police watching the exchange saw it move: progress with each chunk, then ANSWERED.
        using var watch = As("police-shenzhen").Exchange.Watch(new WatchRequest { ExchangeId = last.OrderId });
        var events = new List<WatchEvent>();
        while (events.LastOrDefault()?.Transition?.To != ExchangeState.Answered && await watch.ResponseStream.MoveNext())
        {
            events.Add(watch.ResponseStream.Current);
        }

        var progress = events.Where(e => e.EventCase == WatchEvent.EventOneofCase.BulkProgress).Select(e => e.BulkProgress.Counts.Answered).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.Contains(1000u, progress);
        Assert.Equal(total, progress[^1]);
        Assert.Equal(ExchangeState.Answered, events[^1].Transition.To);
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.BulkItems && e.Actor?.Id == "carrier-east");
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.Answered && e.ExchangeId == last.OrderId);
    }

    [Fact]
    public async Task ABrokenUpload_ResumesFromWhatTheHubAcknowledged_AndItemsOutOfOrderAreRefused()
    {
        var header = BulkOrderData.Accounts("bank-alpha", 1800);
        var partial = await Send(header, n => BulkOrderData.AccountItem("bank-alpha", n), upTo: 1200);
        Assert.False(partial.Complete);
        Assert.Equal(1200u, partial.Received);

        var view = await Bulk("police-shenzhen").GetAsync(new GetBulkOrderRequest { OrderId = partial.OrderId });
        Assert.Null(view.Exchange);
        Assert.Equal(1200u, view.Received);

        // Items must follow on from what is stored.
        var gap = await Assert.ThrowsAsync<RpcException>(() =>
            BulkTransfer.SendAsync(Bulk("police-shenzhen"), header, _ => BulkOrderData.Items(1300, 1400, n => BulkOrderData.AccountItem("bank-alpha", n))));
        Assert.Equal(StatusCode.InvalidArgument, gap.StatusCode);
        Assert.Contains("items.item_no: 1301 is out of order", gap.Status.Detail);

        var resumed = new List<BulkUploadAck>();
        var done = await BulkTransfer.SendAsync(Bulk("police-shenzhen"), header,
            after => BulkOrderData.Items(after, 1800, n => BulkOrderData.AccountItem("bank-alpha", n)),
            new SynchronousProgress<BulkUploadAck>(resumed.Add));
        Assert.True(resumed[0].Duplicate);
        Assert.Equal(1200u, resumed[0].Received);
        Assert.True(done.Complete);
        Assert.Equal(partial.OrderId, done.OrderId);

        // The bank sees its customers' accounts in full.
        var items = await BulkTransfer.FetchAsync(Bulk("bank-alpha"), done.OrderId).ToListAsync();
        Assert.Equal(1800, items.Count);
        Assert.Equal("6222000000001799", items[1798].Account.AccountNumber);

        // The same key for a different order is refused.
        var other = header.Clone();
        other.Order.TotalItems = 5;
        var reused = await Assert.ThrowsAsync<RpcException>(() => Send(other, n => BulkOrderData.AccountItem("bank-alpha", n)));
        Assert.Equal(StatusCode.FailedPrecondition, reused.StatusCode);
        Assert.StartsWith("header.idempotency_key", reused.Status.Detail);
    }

    [Fact]
    public async Task OnlyTheAddressedPartner_ReadsAnOrder_AndOnlyThePoliceSendOne()
    {
        var order = await Send(BulkOrderData.Numbers("carrier-east", 10), BulkOrderData.NumberItem);

        foreach (var outsider in new[] { "carrier-west", "bank-alpha" })
        {
            var fetch = await Assert.ThrowsAsync<RpcException>(() => BulkTransfer.FetchAsync(Bulk(outsider), order.OrderId).ToListAsync().AsTask());
            Assert.Equal(StatusCode.PermissionDenied, fetch.StatusCode);
            Assert.DoesNotContain("+86170", fetch.Status.Detail);
            var answer = await Assert.ThrowsAsync<RpcException>(() =>
                BulkTransfer.AnswerAsync(Bulk(outsider), order.OrderId, BulkOrderData.Results([1u])));
            Assert.Equal(StatusCode.PermissionDenied, answer.StatusCode);
        }

        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.Denied && e.Actor?.Id == "carrier-west" && e.ExchangeId == order.OrderId);

        // A carrier reading a bank's order, and another police centre reading the results.
        var bankOrder = await Send(BulkOrderData.Accounts("bank-beta", 3), n => BulkOrderData.AccountItem("bank-beta", n));
        var read = await Assert.ThrowsAsync<RpcException>(() => Bulk("carrier-east").GetAsync(new GetBulkOrderRequest { OrderId = bankOrder.OrderId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
        var results = await Assert.ThrowsAsync<RpcException>(() => BulkTransfer.ReadResultsAsync(Bulk("police-guangzhou"), bankOrder.OrderId).ToListAsync().AsTask());
        Assert.Equal(StatusCode.PermissionDenied, results.StatusCode);

        var bankSends = await Assert.ThrowsAsync<RpcException>(() => Send(BulkOrderData.Numbers("carrier-east", 1), BulkOrderData.NumberItem,
            police: "bank-alpha"));
        Assert.Equal(StatusCode.PermissionDenied, bankSends.StatusCode);
    }

    [Theory]
    [InlineData("wrong-recipient", "recipient: a bulk order goes to a carrier, but 'bank-alpha' is a bank")]
    [InlineData("too-many", "order.total_items: must be 1 to 100,000")]
    [InlineData("no-officer", "case.approving_officer")]
    [InlineData("bad-number", "items[3].number.e164: must be an E.164 number")]
    [InlineData("account-at-another-bank", "items[0].account.bank_id")]
    public async Task AMalformedOrder_IsRefused_NamingTheField(string flaw, string expected)
    {
        var header = flaw == "account-at-another-bank" ? BulkOrderData.Accounts("bank-alpha", 5) : BulkOrderData.Numbers("carrier-east", 5);
        Func<uint, BulkItem> make = flaw switch
        {
            "bad-number" => n => n == 4 ? new BulkItem { ItemNo = 4, Number = new PhoneNumber { E164 = "0755-1234" } } : BulkOrderData.NumberItem(n),
            "account-at-another-bank" => n => BulkOrderData.AccountItem("bank-beta", n),
            _ => BulkOrderData.NumberItem,
        };
        switch (flaw)
        {
            case "wrong-recipient":
                header.Recipient = new PartnerRef { Id = "bank-alpha" };
                break;
            case "too-many":
                header.Order.TotalItems = 100_001;
                break;
            case "no-officer":
                header.Case.ApprovingOfficer = "";
                break;
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => Send(header, make));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(expected, refused.Status.Detail);
    }

    [Fact]
    public async Task Answers_AreChecked_AndAnOrderIsNotSubmittedOrAnsweredThroughTheSingleRequestCalls()
    {
        var order = await Send(BulkOrderData.Numbers("carrier-east", 5), BulkOrderData.NumberItem);
        var noReason = await Assert.ThrowsAsync<RpcException>(() => BulkTransfer.AnswerAsync(Bulk("carrier-east"), order.OrderId,
            BulkOrderData.Results([]).Append(new BulkItemResult { ItemNo = 2, Outcome = BulkItemOutcome.Refused })));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.StartsWith("results[0].reason", noReason.Status.Detail);
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => BulkTransfer.AnswerAsync(Bulk("carrier-east"), order.OrderId,
            BulkOrderData.Results([6u])));
        Assert.StartsWith("results[0].item_no: must be 1 to 5", outOfRange.Status.Detail);

        var respond = await Assert.ThrowsAsync<RpcException>(() => As("carrier-east").Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = order.OrderId,
            Result = new Result { NumberSuspension = new SuspensionResult { Status = SuspensionStatus.Suspended } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, respond.StatusCode);
        Assert.Contains("BulkOrders/Answer", respond.Status.Detail);

        var submit = await Assert.ThrowsAsync<RpcException>(() => As("police-shenzhen").Exchange.SubmitAsync(new SubmitRequest
        {
            IdempotencyKey = Requests.NewKey(),
            Recipient = new PartnerRef { Id = "carrier-east" },
            Priority = Priority.High,
            Case = Requests.Case(),
            Request = new Request { BulkOrder = new BulkOrderNotice { Kind = BulkOrderKind.SuspendNumbers, TotalItems = 1 } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, submit.StatusCode);
        Assert.StartsWith("request.bulk_order", submit.Status.Detail);
    }

    [Fact]
    public async Task UnfinishedUploads_AreBoundedPerUnit()
    {
        await Send(BulkOrderData.Numbers("carrier-east", 10), BulkOrderData.NumberItem, upTo: 1);
        await Send(BulkOrderData.Numbers("carrier-east", 10), BulkOrderData.NumberItem, upTo: 1);
        var third = await Assert.ThrowsAsync<RpcException>(() => Send(BulkOrderData.Numbers("carrier-east", 10), BulkOrderData.NumberItem));
        Assert.Equal(StatusCode.ResourceExhausted, third.StatusCode);
        Assert.Contains("2 bulk orders whose upload is unfinished", third.Status.Detail);

        // Another unit is not affected.
        Assert.True((await Send(BulkOrderData.Numbers("carrier-east", 10), BulkOrderData.NumberItem, police: "police-guangzhou")).Complete);
    }

    [Fact]
    public async Task PastTheDeadline_TheOverdueItemsAreNamed_ToTheWatchingPolice_AndLateAnswersStillCount()
    {
        var order = await Send(BulkOrderData.Numbers("carrier-east", 30, Priority.Critical), BulkOrderData.NumberItem);
        await BulkTransfer.AnswerAsync(Bulk("carrier-east"), order.OrderId, BulkOrderData.Results(Enumerable.Range(1, 25).Select(n => (uint)n)));

        using var watch = As("police-shenzhen").Exchange.Watch(new WatchRequest { ExchangeId = order.OrderId });
        _env.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        WatchEvent? named = null;
        for (var i = 0; i < 20 && named is null && await watch.ResponseStream.MoveNext(); i++)
        {
            if (watch.ResponseStream.Current.BulkProgress is { Overdue: > 0 } p)
            {
                named = watch.ResponseStream.Current;
            }
        }

        Assert.NotNull(named);
        Assert.Equal(5u, named!.BulkProgress.Overdue);
        Assert.Equal([26u, 27u, 28u, 29u, 30u], named.BulkProgress.OverdueItems.Select(i => i.ItemNo));
        Assert.Equal(BulkOrderData.Phone(26), named.BulkProgress.OverdueItems[0].Number.E164);
        Assert.Equal(ExchangeState.Expired, named.Snapshot.State);

        var view = await Bulk("carrier-east").GetAsync(new GetBulkOrderRequest { OrderId = order.OrderId, MaxOverdueItems = 2 });
        Assert.Equal([26u, 27u], view.Progress.OverdueItems.Select(i => i.ItemNo));

        var late = await BulkTransfer.AnswerAsync(Bulk("carrier-east"), order.OrderId, BulkOrderData.Results(Enumerable.Range(26, 5).Select(n => (uint)n)));
        Assert.True(late!.Complete);
        Assert.Equal(ExchangeState.Answered, late.State);
    }
}

public sealed class SqliteBulkOrderTests : BulkOrderTests;

public sealed class RedisBulkOrderTests : BulkOrderTests, IDisposable
{
    private readonly RedisServer _redis = RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public void Dispose() => _redis.Dispose();
}

/// <summary>An IProgress that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
