namespace AntiFraud.Exchange.Hub.Delivery;

internal static class DeliveryRegistration
{
    /// <summary>The recipients' inbox queues (restored from the store before the hub listens) and the watchers' event bus.</summary>
    public static IServiceCollection AddHubDelivery(this IServiceCollection services)
    {
        services.AddSingleton<InboxBroker>();
        services.AddSingleton<EventBus>();
        services.AddSingleton<DutyNotices>();
        services.AddHostedService<InboxRestore>();
        return services;
    }
}
