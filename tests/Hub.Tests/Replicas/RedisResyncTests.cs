using AntiFraud.Exchange.Protocol.Clients;
using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Replication;

namespace AntiFraud.Exchange.Hub.Tests.Replicas;

/// <summary>After Redis comes back, each replica resynchronises until it succeeds, so no acknowledged item is stranded.</summary>
public sealed class RedisResyncTests
{
    private static CallOptions Within(int seconds) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    /// <summary>
    /// An item this replica never heard of is in Redis, and Redis stops answering for longer than a
    /// call may wait: the first attempt fails, later ones succeed, and the bank streaming here gets it.
    /// </summary>
    [Fact]
    public async Task Resynchronisation_WhileRedisDoesNotAnswer_IsRetriedUntilItSucceeds()
    {
        using var redis = RedisServer.Start();
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build([.. redis.HubSettings, "--Hub:ReplicaId=b"]));
        var store = hub.Services.GetRequiredService<IExchangeStore>();
        var broker = hub.Services.GetRequiredService<InboxBroker>();
        var link = hub.Services.GetServices<IHostedService>().OfType<RedisReplicaLink>().Single();
        var now = DateTimeOffset.UtcNow;
        var stranded = new ExchangeRecord
        {
            ExchangeId = ExchangeIds.New(now),
            IdempotencyKey = Requests.NewKey(),
            From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            To = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
            Priority = Priority.High,
            Case = Requests.Case("SZ-RESYNC"),
            Request = Requests.Freeze("bank-alpha", "6222000000021001", 100_00).Request,
            State = ExchangeState.Submitted,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Deadline = Timestamp.FromDateTimeOffset(now.AddHours(2)),
        };
        await store.SubmitAsync(stranded, ExchangeLifecycle.Submitted(stranded, now).Events, CancellationToken.None);
        Assert.Equal(0, broker.Pending("bank-alpha"));

        // Redis sleeps longer than the hub's Redis timeout (1.5 s in tests): the first attempt fails.
        var sleeping = Task.Run(() => redis.Command("DEBUG SLEEP 2.5"));
        await Task.Delay(200);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await link.ResynchroniseAsync(stop.Token);
        Assert.StartsWith("+OK", await sleeping, StringComparison.Ordinal);

        Assert.Equal(1, broker.Pending("bank-alpha"));
        using var bank = new Partner(hub, "bank-alpha");
        using var inbox = bank.Inbox.Subscribe(new SubscribeRequest(), Within(15));
        Assert.True(await inbox.ResponseStream.MoveNext());
        Assert.Equal(stranded.ExchangeId, inbox.ResponseStream.Current.ExchangeId);
    }

    /// <summary>
    /// Police submit on replica a while the bank streams on replica b. Redis is killed mid-load and
    /// restarted with a large AOF (so it answers LOADING for a while). Every submission the hub
    /// acknowledged reaches the bank through replica b.
    /// </summary>
    [Fact]
    public async Task RedisRestartedWithALargeAof_EveryAcknowledgedItemReachesTheBank()
    {
        var pair = new ReplicaPair();
        await pair.StartAsync(_ => null);
        try
        {
            var redis = pair.Redis;
            Assert.StartsWith("+OK", redis.Command("DEBUG POPULATE 1500000 filler 64"), StringComparison.Ordinal);
            Assert.StartsWith("+", redis.Command("BGREWRITEAOF"), StringComparison.Ordinal);
            for (var i = 0; i < 600 && redis.Command("INFO persistence").Contains("aof_rewrite_in_progress:1", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }

            using var police = new Partner(pair.A, "police-shenzhen");
            using var bank = new Partner(pair.B, "bank-alpha");
            var acknowledged = new ConcurrentDictionary<string, byte>();
            var delivered = new ConcurrentDictionary<string, byte>();
            using var done = new CancellationTokenSource();
            var receiver = Task.Run(() => ReceiveAsync(bank, delivered, done.Token));

            var submitted = 0;
            var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; i < 60; i++)
                {
                    var request = Requests.Freeze("bank-alpha", $"6222{worker:D4}{i:D8}", 100_00, caseRef: Requests.Case("SZ-AOF"));
                    // The same idempotency key until the hub acknowledges it (count-bounded, generous: Redis reloading
                    // a large AOF on a machine busy with other test assemblies can take well over 30 s).
                    for (var attempt = 0; attempt < 1200; attempt++)
                    {
                        try
                        {
                            var reply = await police.Exchange.SubmitAsync(request, Within(10));
                            acknowledged[reply.ExchangeId] = 0;
                            Interlocked.Increment(ref submitted);
                            break;
                        }
                        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                        {
                            await Task.Delay(100);
                        }
                    }
                }
            })).ToList();

            for (var i = 0; i < 300 && Volatile.Read(ref submitted) < 60; i++)
            {
                await Task.Delay(50);
            }

            redis.Kill();
            redis.Restart(untilLoaded: false);
            await Task.WhenAll(workers);
            Assert.True(acknowledged.Count == 240, $"only {acknowledged.Count} of 240 submissions were acknowledged while Redis restarted");

            for (var i = 0; i < 1800 && !acknowledged.Keys.All(delivered.ContainsKey); i++)
            {
                await Task.Delay(100);
            }

            await done.CancelAsync();
            await receiver;
            var missing = acknowledged.Keys.Where(id => !delivered.ContainsKey(id)).ToList();
            var diagnosis = "";
            if (missing.Count > 0)
            {
                var storeB = pair.B.Services.GetRequiredService<IExchangeStore>();
                var unacked = await storeB.ListUnacknowledgedAsync(CancellationToken.None);
                var record = await storeB.GetAsync(missing[0], CancellationToken.None);
                diagnosis = $" pending on a: {pair.A.Services.GetRequiredService<InboxBroker>().Pending("bank-alpha")}, on b: {pair.B.Services.GetRequiredService<InboxBroker>().Pending("bank-alpha")};"
                    + $" unacknowledged in Redis: {unacked.Count}; first missing is {record?.State}, delivered {record?.DeliveryAttempts} times; delivered in all {delivered.Count}";
            }

            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged items never reached the bank: {string.Join(", ", missing.Take(5))}.{diagnosis}");
        }
        finally
        {
            await pair.DisposeAsync();
        }
    }

    /// <summary>The bank's stream on its replica, reconnecting whenever it ends, acknowledging what it gets.</summary>
    private static async Task ReceiveAsync(Partner bank, ConcurrentDictionary<string, byte> delivered, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var inbox = bank.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 64 }, new CallOptions(cancellationToken: stop));
                while (await inbox.ResponseStream.MoveNext(stop))
                {
                    var id = inbox.ResponseStream.Current.ExchangeId;
                    delivered[id] = 0;
                    try
                    {
                        await bank.Inbox.AckAsync(new AckRequest { ExchangeId = id }, new CallOptions(cancellationToken: stop).WithTimeout(TimeSpan.FromSeconds(10)));
                    }
                    catch (RpcException)
                    {
                        // Redeliverd later; the delivery itself is what this test counts.
                    }
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
            catch (Exception)
            {
                return;
            }
        }
    }
}
