namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Section "Hub:Store:Redis".</summary>
public sealed class HubRedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, for example "redis-1:6379,password=...,ssl=true".</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key and channel, so several hubs (or environments) can share a Redis.</summary>
    public string Prefix { get; set; } = "afx:";

    /// <summary>How long a Redis call may take before the caller gets UNAVAILABLE.</summary>
    public int TimeoutMilliseconds { get; set; } = 2000;

    /// <summary>Refuse to start unless Redis has appendonly yes (acknowledged work must survive a Redis restart).</summary>
    public bool RequireAppendOnly { get; set; } = true;
}
