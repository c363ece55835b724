namespace AntiFraud.Exchange.Hub.Exchanges;

internal static class ExchangeRegistration
{
    /// <summary>The flows behind the gRPC services: submissions, follow-the-money, inbox delivery and watch streams.</summary>
    public static IServiceCollection AddHubExchanges(this IServiceCollection services)
    {
        services.AddSingleton<ExchangeAccess>();
        services.AddSingleton<ExchangeIntake>();
        services.AddSingleton<Submissions>();
        services.AddSingleton<FollowTheMoney>();
        services.AddSingleton<DeliveryRecorder>();
        services.AddSingleton<InboxDelivery>();
        services.AddSingleton<WatchStreams>();
        services.AddSingleton<LegalHolds>();
        return services;
    }
}
