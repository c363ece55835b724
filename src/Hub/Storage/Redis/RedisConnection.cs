using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// The one multiplexer every Redis user of the hub shares, and the hub's view of whether Redis is there:
/// <see cref="Lost"/> is cancelled when the connection fails (open streams end UNAVAILABLE) and replaced
/// when it is restored. Every call is bounded by the caller's token and a timeout, and any Redis failure
/// surfaces as <see cref="StoreUnavailableException"/>, which callers turn into UNAVAILABLE.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private readonly TimeSpan _timeout;
    private CancellationTokenSource _lost = new();

    public RedisConnection(string configuration, string prefix, TimeSpan timeout, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _timeout = timeout;
        Prefix = prefix;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.ConnectRetry = 2;
        // CONFIG GET (persistence check at start-up) is an admin command.
        options.AllowAdmin = true;
        _multiplexer = ConnectionMultiplexer.Connect(options);
        // 1.x completes every reply in order on one thread by default; one slow continuation would then
        // hold up every other caller. Completion order across calls is not needed here.
        _multiplexer.PreserveAsyncOrder = false;
        _multiplexer.ConnectionFailed += (_, e) =>
        {
            RedisLog.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
            _lost.Cancel();
        };
        _multiplexer.ConnectionRestored += (_, e) =>
        {
            RedisLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
            var previous = Interlocked.Exchange(ref _lost, new CancellationTokenSource());
            previous.Cancel();
            Restored?.Invoke();
        };
        if (!_multiplexer.IsConnected)
        {
            _lost.Cancel();
        }
    }

    public string Prefix { get; }

    public IDatabase Database => _multiplexer.GetDatabase();

    public ISubscriber Subscriber => _multiplexer.GetSubscriber();

    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>Cancelled when the connection to Redis fails; a fresh token after it is restored.</summary>
    public CancellationToken Lost => Volatile.Read(ref _lost).Token;

    /// <summary>Raised after a lost connection is back (pub/sub messages may have been missed meanwhile).</summary>
    public event Action? Restored;

    public IServer Server => _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]);

    public async Task<T> Call<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(Database).WaitAsync(_timeout, cancellationToken);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or TimeoutException
            || (e is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal)
                || server.Message.StartsWith("MISCONF", StringComparison.Ordinal) || server.Message.StartsWith("READONLY", StringComparison.Ordinal))))
        {
            throw new StoreUnavailableException("The shared store (Redis) is unavailable: " + e.Message, e);
        }
    }

    public void Dispose()
    {
        _multiplexer.Dispose();
        _lost.Dispose();
    }
}

internal static partial class RedisLog
{
    [LoggerMessage(250, LogLevel.Error, "Redis connection to {EndPoint} failed ({FailureType}); calls answer UNAVAILABLE and open streams end until it is back")]
    public static partial void ConnectionFailed(ILogger logger, string endPoint, string failureType, Exception? exception);

    [LoggerMessage(251, LogLevel.Warning, "Redis connection to {EndPoint} restored; resynchronising inbox queues and timers")]
    public static partial void ConnectionRestored(ILogger logger, string endPoint);

    [LoggerMessage(252, LogLevel.Information, "Shared store: Redis {EndPoint} (version {Version}), appendonly {AppendOnly}, appendfsync {AppendFsync}, key prefix '{Prefix}'")]
    public static partial void Opened(ILogger logger, string endPoint, string version, string appendOnly, string appendFsync, string prefix);

    [LoggerMessage(253, LogLevel.Warning, "Redis appendfsync is '{AppendFsync}': a Redis crash can lose up to a second of acknowledged writes. Use appendfsync always for the hub's guarantee")]
    public static partial void WeakFsync(ILogger logger, string appendFsync);

    [LoggerMessage(254, LogLevel.Warning, "Could not read Redis persistence settings (CONFIG may be disabled): {Reason}")]
    public static partial void ConfigUnreadable(ILogger logger, string reason);
}
