using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AntiFraud.Exchange.Hub.Tests.Transport;

/// <summary>Health that means something, and what open streams see when the hub stops.</summary>
public sealed class HealthAndShutdownTests
{
    /// <summary>
    /// With Redis down every Submit would answer UNAVAILABLE: health says NOT_SERVING (Check and Watch),
    /// and SERVING again once Redis is back.
    /// </summary>
    [Fact]
    public async Task Health_IsNotServing_WhileTheStoreCannotTakeWrites()
    {
        using var redis = RedisServer.Start();
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build([.. redis.HubSettings, "--Hub:ReplicaId=solo"]));
        using var bank = new Partner(hub, "bank-alpha");
        var health = new HealthClient(bank.Channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        using var watch = health.Watch(new HealthCheckRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        redis.Kill();
        // Check answers from the result published each second (a partner polling Check must not drive a
        // Redis probe per call), so it says NOT_SERVING within about a second.
        var exchange = new HealthCheckRequest { Service = "antifraud.exchange.v1.Exchange" };
        for (var i = 0; i < 100 && (await health.CheckAsync(exchange)).Status != ServingStatus.NotServing; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(exchange)).Status);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);

        redis.Restart();
        for (var i = 0; i < 100 && (await health.CheckAsync(new HealthCheckRequest())).Status != ServingStatus.Serving; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Stop_OpenStreams_EndWithUnavailable_SoClientsReconnect()
    {
        var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build());
        using var police = new Partner(hub, "police-shenzhen");
        using var bank = new Partner(hub, "bank-alpha");
        await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000031001", 100_00, caseRef: Requests.Case("SZ-STOP")));
        using var inbox = bank.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        Assert.True(await inbox.ResponseStream.MoveNext());
        using var watch = police.Exchange.Watch(new WatchRequest { CaseNumber = "SZ-STOP" }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        Assert.True(await watch.ResponseStream.MoveNext());

        var stopping = hub.DisposeAsync();
        var inboxEnded = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await inbox.ResponseStream.MoveNext())
            {
            }
        });
        var watchEnded = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext())
            {
            }
        });
        await stopping;

        Assert.Equal(StatusCode.Unavailable, inboxEnded.StatusCode);
        Assert.Equal(StatusCode.Unavailable, watchEnded.StatusCode);
    }
}
