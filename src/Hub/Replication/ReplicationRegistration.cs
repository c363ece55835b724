using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Storage.Redis;

namespace AntiFraud.Exchange.Hub.Replication;

internal static class ReplicationRegistration
{
    /// <summary>On a shared Redis: the link that keeps this replica's queues, watchers and timers in step with the others.</summary>
    public static IServiceCollection AddHubReplication(this IServiceCollection services, string replicaId) =>
        services.AddHostedService(sp => new RedisReplicaLink(sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IExchangeStore>(),
            sp.GetRequiredService<EventBus>(), sp.GetRequiredService<InboxBroker>(), sp.GetRequiredService<DeadlineTracker>(),
            sp.GetRequiredService<DutyNotices>(), replicaId,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<BackgroundFaults>(), sp.GetRequiredService<ILogger<RedisReplicaLink>>()));
}
