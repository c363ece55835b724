using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>What every call shares: options, clock, logger, filters, and the shutdown signal.</summary>
internal sealed class GrpcServerRuntime
{
    public GrpcServerRuntime(
        IOptions<GrpcServerOptions> options,
        ILoggerFactory loggerFactory,
        IEnumerable<IServerCallFilter> filters,
        IHostApplicationLifetime? lifetime = null)
    {
        Options = options.Value;
        TimeProvider = Options.DeadlineClock;
        Logger = loggerFactory.CreateLogger("AntiFraud.Exchange.Protocol.Wire.Server");
        Filters = filters.ToArray();
        Stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    }

    public GrpcServerOptions Options { get; }

    /// <summary>The clock of call deadlines.</summary>
    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public IServerCallFilter[] Filters { get; }

    /// <summary>Fires when the host begins to stop; long-lived streams end with UNAVAILABLE so clients reconnect elsewhere.</summary>
    public CancellationToken Stopping { get; }
}
