namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>What any one partner, or all of them together, can make the hub hold.</summary>
public sealed class HubLimitOptions
{
    /// <summary>Open TLS connections at once; more wait for a free one.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Concurrent calls (HTTP/2 streams) on one connection; clients open more connections or queue.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Partly received request bytes one connection may make the hub hold, in MiB.</summary>
    public int MaxBufferedPerConnectionMiB { get; set; } = 16;

    /// <summary>Partly received request bytes the hub holds in all, in MiB.</summary>
    public int MaxBufferedTotalMiB { get; set; } = 256;

    /// <summary>A request body slower than this (bytes per second, after a 5 s grace) is cut off; streaming uploads are exempt.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;
}
