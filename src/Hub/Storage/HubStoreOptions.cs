namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Section "Hub:Store".</summary>
public sealed class HubStoreOptions
{
    /// <summary>"sqlite" (durable, the default) or "memory" (nothing survives a restart: benchmarks and tests only).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite database file; its folder is created when missing.</summary>
    public string Path { get; set; } = "data/hub.db";

    /// <summary>The master key (64 hex digits, a file readable by the hub's user only) that wraps the data keys sealing every stored
    /// record. The dev key in certs-dev/ is refused in Production.</summary>
    public string KeyPath { get; set; } = "certs-dev/store/master.key";

    /// <summary>Seal personal data at rest (the default). Off is accepted only in Development, for the benchmark that measures it.</summary>
    public bool EncryptAtRest { get; set; } = true;

    /// <summary>Used when Provider is redis: several replicas share state through one Redis primary.</summary>
    public HubRedisOptions Redis { get; set; } = new();
}
