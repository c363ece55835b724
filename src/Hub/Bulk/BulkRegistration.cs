namespace AntiFraud.Exchange.Hub.Bulk;

internal static class BulkRegistration
{
    /// <summary>Bulk suspension and restriction orders: uploads, the recipient's fetch and answers, reads, and overdue naming.</summary>
    public static IServiceCollection AddHubBulkOrders(this IServiceCollection services, HubBulkOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<BulkOrderAccess>();
        services.AddSingleton<BulkUploads>();
        services.AddSingleton<BulkAnswers>();
        services.AddSingleton<BulkReads>();
        services.AddHostedService<BulkOverdue>();
        return services;
    }
}
