using System.Collections.Concurrent;
using System.Diagnostics;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Replicas;

/// <summary>What partners see when Redis goes away and comes back, and when a replica dies: a real redis-server, killed for real.</summary>
public sealed class RedisFailureTests
{
    private static CallOptions Within(int seconds) => new CallOptions().WithTimeout(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task RedisStopped_SubmitIsUnavailableQuickly_StreamsEnd_AndWhenItReturnsNothingAcknowledgedIsLost()
    {
        using var redis = RedisServer.Start();
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build([.. redis.HubSettings, "--Hub:ReplicaId=solo"]));
        using var police = new Partner(hub, "police-shenzhen");
        using var bank = new Partner(hub, "bank-alpha");

        var acknowledged = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            acknowledged.Add((await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000000100{i:D2}", 100_00, caseRef: Requests.Case("SZ-REDIS-DOWN")))).ExchangeId);
        }

        await bank.Inbox.AckAsync(new AckRequest { ExchangeId = acknowledged[0] });
        using var inbox = bank.Inbox.Subscribe(new SubscribeRequest { MaxInFlight = 1 }, Within(60));
        Assert.True(await inbox.ResponseStream.MoveNext());

        redis.Kill();

        // Submit answers UNAVAILABLE at once, and what it refused is not stored.
        var key = Requests.NewKey();
        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<RpcException>(() => police.Exchange.SubmitAsync(
            Requests.Freeze("bank-alpha", "6222000000010099", 100_00, caseRef: Requests.Case("SZ-REDIS-DOWN"), key: key)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        // A plain reason: the Redis client's internals (endpoints, multiplexer and queue states) stay in the hub's log.
        foreach (var internals in new[] { "127.0.0.1", "StackExchange", "mgr:", "inst:", "SocketFailure", "UnableToConnect", "Redis" })
        {
            Assert.DoesNotContain(internals, refused.Status.Detail, StringComparison.Ordinal);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"UNAVAILABLE took {clock.Elapsed}");

        // The open inbox stream ends UNAVAILABLE, so the bank reconnects.
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await inbox.ResponseStream.MoveNext())
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);

        redis.Restart();
        var back = await Eventually(async () =>
        {
            try
            {
                return await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000010099", 100_00, caseRef: Requests.Case("SZ-REDIS-DOWN"), key: key));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return null;
            }
        }, "the hub to accept work again");
        Assert.False(back.Duplicate, "the submission refused while Redis was down must not have been stored");

        // Every acknowledged submission is there; the acknowledged one stays acknowledged; the rest come to the bank.
        foreach (var id in acknowledged)
        {
            var record = await police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = id });
            if (id == acknowledged[0])
            {
                Assert.Equal(ExchangeState.Acknowledged, record.State);
            }
            else
            {
                Assert.Contains(record.State, new[] { ExchangeState.Submitted, ExchangeState.Delivered });
            }
        }

        var owed = acknowledged.Skip(1).Append(back.ExchangeId).ToHashSet();
        using var again = bank.Inbox.Subscribe(new SubscribeRequest(), Within(30));
        while (owed.Count > 0 && await again.ResponseStream.MoveNext())
        {
            var item = again.ResponseStream.Current;
            Assert.NotEqual(acknowledged[0], item.ExchangeId);
            owed.Remove(item.ExchangeId);
            await bank.Inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId });
        }

        Assert.Empty(owed);
    }

    [Fact]
    public async Task ReplicaKilledMidLoad_ItsBankReconnectsToTheOther_AndGetsEveryUnacknowledgedItem()
    {
        using var redis = RedisServer.Start();
        var dir = Path.Combine(Path.GetTempPath(), "afx-replicas-" + Guid.NewGuid().ToString("N")[..8]);
        using var replicaB = await HubProcess.StartAsync([.. redis.HubSettings, "--Hub:ReplicaId=b", $"--Hub:Store:Path={dir}/b/hub.db"]);
        using var police = GrpcChannel.ForAddress(replicaB.Address, DevPki.ChannelOptions("police-shenzhen"));
        var exchange = new ExchangeClient(police);
        var submitted = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                submitted.Add((await exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"6222{i:D12}", 100_00, caseRef: Requests.Case("SZ-REPLICA-KILL")))).ExchangeId);
                await Task.Delay(10);
            }
        });

        var acked = new HashSet<string>();
        using (var replicaA = await HubProcess.StartAsync([.. redis.HubSettings, "--Hub:ReplicaId=a", $"--Hub:Store:Path={dir}/a/hub.db"]))
        {
            using var bankOnA = GrpcChannel.ForAddress(replicaA.Address, DevPki.ChannelOptions("bank-alpha"));
            var inbox = new InboxClient(bankOnA);
            using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 8 }, Within(60));
            while (acked.Count < 15 && await stream.ResponseStream.MoveNext())
            {
                var id = stream.ResponseStream.Current.ExchangeId;
                if (acked.Count % 3 != 2)
                {
                    await inbox.AckAsync(new AckRequest { ExchangeId = id });
                    acked.Add(id);
                }
                else
                {
                    acked.Add("unacked:" + id);
                }
            }

            replicaA.Kill();
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await load;
        acked.RemoveWhere(a => a.StartsWith("unacked:", StringComparison.Ordinal));

        // The bank reconnects to B and receives everything it never acknowledged, whichever replica took it.
        using var bankOnB = GrpcChannel.ForAddress(replicaB.Address, DevPki.ChannelOptions("bank-alpha"));
        var inboxB = new InboxClient(bankOnB);
        var owed = submitted.Except(acked).ToHashSet();
        Assert.True(owed.Count > 5);
        using var streamB = inboxB.Subscribe(new SubscribeRequest { MaxInFlight = 64 }, Within(30));
        while (owed.Count > 0 && await streamB.ResponseStream.MoveNext())
        {
            owed.Remove(streamB.ResponseStream.Current.ExchangeId);
            await inboxB.AckAsync(new AckRequest { ExchangeId = streamB.ResponseStream.Current.ExchangeId });
        }

        Assert.Empty(owed);
    }

    [Fact]
    public async Task RedisWithoutAppendOnly_HubRefusesToStart_NamingTheSetting()
    {
        using var redis = RedisServer.Start();
        Assert.Equal("+OK", redis.Command("CONFIG SET appendonly no"));
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => HubFixture.Build([.. redis.HubSettings, "--Hub:ReplicaId=x"]).StartAsync());
        Assert.Contains("appendonly no", error.Message);
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        // Bounded by count, not by the clock: a busy machine makes each attempt slower, not fewer.
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("gave up waiting for " + what);
    }
}
