namespace AntiFraud.Exchange.Hub.Lists;

internal static class ListRegistration
{
    /// <summary>Shared risk lists: the OPRF key, the evaluation budget, the desk behind the RiskLists service and the expirer.</summary>
    public static IServiceCollection AddHubLists(this IServiceCollection services, HubListOptions options, string keyPath)
    {
        services.AddSingleton(options);
        services.AddSingleton(_ => new ListKey(keyPath));
        services.AddSingleton<EvaluationBudget>();
        services.AddSingleton<EvaluationAudit>();
        services.AddHostedService<EvaluationAuditFlusher>();
        services.AddSingleton<ListDesk>();
        services.AddHostedService<ListExpirer>();
        return services;
    }
}
