namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Section "Hub:Store".</summary>
public sealed class HubStoreOptions
{
    /// <summary>"sqlite" (durable, the default) or "memory" (nothing survives a restart: benchmarks and tests only).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite database file; its folder is created when missing.</summary>
    public string Path { get; set; } = "data/hub.db";

    /// <summary>Used when Provider is redis: several replicas share state through one Redis primary.</summary>
    public HubRedisOptions Redis { get; set; } = new();
}
