using StackExchange.Redis;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// The one multiplexer every Redis user of the hub shares, and the hub's view of whether Redis is there:
/// <see cref="Lost"/> is cancelled when the connection fails (open streams end UNAVAILABLE) and replaced
/// when it is restored. The multiplexer raises its failed and restored events from several threads and
/// in no guaranteed order (a restore can be reported before the failure it ends), so each event, and a
/// check every second, re-reads whether the multiplexer is connected rather than trusting the event.
/// Every call is bounded by the caller's token and a timeout, and any Redis failure surfaces as
/// <see cref="StoreUnavailableException"/>, which callers turn into UNAVAILABLE.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private readonly TimeSpan _timeout;
    private readonly Lock _gate = new();
    private readonly ITimer _check;
    private CancellationTokenSource _lost = new();

    /// <summary>Seals and opens every value the Redis stores write and read (set once the key ring is loaded, at start).</summary>
    public StoreCipher Cipher { get; internal set; }

    public RedisConnection(string configuration, string prefix, TimeSpan timeout, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _timeout = timeout;
        Prefix = prefix;
        Cipher = new StoreCipher(new Dictionary<ushort, byte[]> { [1] = new byte[32] }, enabled: false);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)timeout.TotalMilliseconds;
        // Since version 2 the multiplexer queues commands issued while disconnected and sends them on
        // reconnect. The hub has already answered UNAVAILABLE for such a command ("not stored"); sent
        // later, it would store a submission the partner was told failed. Fail at once instead.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectRetry = 2;
        // CONFIG GET (persistence check at start-up) is an admin command.
        options.AllowAdmin = true;
        _multiplexer = ConnectionMultiplexer.Connect(options);
        _multiplexer.ConnectionFailed += (_, e) =>
        {
            RedisLog.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception?.Message ?? "-");
            Evaluate(restoredEvent: false);
        };
        _multiplexer.ConnectionRestored += (_, e) =>
        {
            RedisLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString());
            Evaluate(restoredEvent: true);
        };
        if (!_multiplexer.IsConnected)
        {
            _lost.Cancel();
        }

        _check = TimeProvider.System.CreateTimer(_ => Evaluate(restoredEvent: false), null, TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Brings <see cref="Lost"/> in line with the multiplexer: cancelled while it is not connected, a fresh
    /// token once it is. A restore of any connection (the pub/sub one too: messages were missed) raises
    /// <see cref="Restored"/> when the store is usable.
    /// </summary>
    private void Evaluate(bool restoredEvent)
    {
        bool restored;
        lock (_gate)
        {
            var connected = _multiplexer.IsConnected;
            restored = connected && (restoredEvent || _lost.IsCancellationRequested);
            if (!connected && !_lost.IsCancellationRequested)
            {
                _lost.Cancel();
            }
            else if (connected && _lost.IsCancellationRequested)
            {
                _lost = new CancellationTokenSource();
            }
        }

        if (restored)
        {
            Restored?.Invoke();
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

    private long _lastCallFailureLogged = -1000;

    public async Task<T> Call<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            var result = await call(Database).WaitAsync(_timeout, cancellationToken);
            HubMetrics.StoreCommit.Record(TimeProvider.System.Since(started), new KeyValuePair<string, object?>("provider", "redis"));
            return result;
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or TimeoutException
            || (e is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal)
                || server.Message.StartsWith("MISCONF", StringComparison.Ordinal) || server.Message.StartsWith("READONLY",
                    StringComparison.Ordinal))))
        {
            // The partner gets a plain reason; the client library's details (endpoints, commands, queue
            // states) go to the hub's log, at most once a second.
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _lastCallFailureLogged);
            if (now - last >= 1000 && Interlocked.CompareExchange(ref _lastCallFailureLogged, now, last) == last)
            {
                RedisLog.CallFailed(_logger, e.GetType().Name, e.Message);
            }

            throw new StoreUnavailableException("The hub's shared store is unavailable; retry shortly (or through another replica).", e);
        }
    }

    public void Dispose()
    {
        _check.Dispose();
        _multiplexer.Dispose();
        _lost.Dispose();
    }
}

internal static partial class RedisLog
{
    [LoggerMessage(250, LogLevel.Error,
        "Redis connection to {EndPoint} failed ({FailureType}); calls answer UNAVAILABLE and open streams end until it is back: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string endPoint, string failureType, string reason);

    [LoggerMessage(251, LogLevel.Warning,
        "Redis {ConnectionType} connection to {EndPoint} restored; resynchronising inbox queues and timers")]
    public static partial void ConnectionRestored(ILogger logger, string endPoint, string connectionType);

    [LoggerMessage(252, LogLevel.Information,
        "Shared store: Redis {EndPoint} (version {Version}), appendonly {AppendOnly}, appendfsync {AppendFsync}, key prefix '{Prefix}'")]
    public static partial void Opened(ILogger logger, string endPoint, string version, string appendOnly, string appendFsync,
        string prefix);

    [LoggerMessage(253, LogLevel.Warning,
        "Redis appendfsync is '{AppendFsync}': a Redis crash can lose up to a second of acknowledged writes. Use appendfsync always for the hub's guarantee")]
    public static partial void WeakFsync(ILogger logger, string appendFsync);

    [LoggerMessage(255, LogLevel.Warning, "A Redis call failed ({Type}); the caller got UNAVAILABLE: {Reason}")]
    public static partial void CallFailed(ILogger logger, string type, string reason);

    [LoggerMessage(254, LogLevel.Warning, "Could not read Redis persistence settings (CONFIG may be disabled): {Reason}")]
    public static partial void ConfigUnreadable(ILogger logger, string reason);
}
