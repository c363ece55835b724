namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>
/// A file the operator edits while the hub runs (partner registry, CRL, policies). Read at start-up,
/// where a bad file stops the hub; afterwards re-read when its timestamp or size changes, checked at
/// most once per interval on access and by ConfigurationWatcher (Hosting) every half second. A bad
/// edit, or one <c>accept</c> refuses (an older CRL), is logged and the last good content stays in force.
/// </summary>
internal sealed class ReloadingFile<T>
    where T : class
{
    private readonly string _path;
    private readonly string _what;
    private readonly Func<byte[], T> _parse;
    private readonly Func<T, T, string?>? _accept;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private volatile T _value;
    private long _nextCheck;
    private (DateTime Written, long Length) _stamp;

    /// <param name="accept">Given the content in force and a newly read one, a reason to refuse the new one, or null to take it.</param>
    public ReloadingFile(string path, string what, Func<byte[], T> parse, TimeProvider time, ILogger logger, TimeSpan? interval = null,
        Func<T, T, string?>? accept = null)
    {
        _path = path;
        _what = what;
        _parse = parse;
        _accept = accept;
        _time = time;
        _logger = logger;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _stamp = Stamp();
        try
        {
            _value = parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is not IOException)
        {
            throw new InvalidOperationException($"{what} '{path}' is invalid: {ex.Message}", ex);
        }

        _nextCheck = _time.GetTimestamp() + Ticks(_interval);
    }

    public string Path => _path;

    /// <summary>Raised after new content took effect (on the thread that noticed the change).</summary>
    public event Action<T>? Changed;

    /// <summary>The content in force, re-read first if the file changed.</summary>
    public T Current
    {
        get
        {
            var now = _time.GetTimestamp();
            if (now >= Interlocked.Read(ref _nextCheck))
            {
                Refresh(now);
            }

            return _value;
        }
    }

    /// <summary>Re-reads the file now if it changed; true when new content took effect.</summary>
    public bool Refresh() => Refresh(_time.GetTimestamp());

    private bool Refresh(long now)
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _nextCheck, now + Ticks(_interval));
            (DateTime, long) stamp;
            try
            {
                stamp = Stamp();
            }
            catch (IOException ex)
            {
                SharedLog.ReloadFailed(_logger, _what, _path, ex.Message);
                return false;
            }

            if (stamp == _stamp)
            {
                return false;
            }

            T candidate;
            try
            {
                candidate = _parse(File.ReadAllBytes(_path));
            }
            catch (Exception ex)
            {
                _stamp = stamp;
                SharedLog.ReloadFailed(_logger, _what, _path, ex.Message);
                return false;
            }

            _stamp = stamp;
            if (_accept?.Invoke(_value, candidate) is { } refusal)
            {
                SharedLog.ReloadRefused(_logger, _what, _path, refusal);
                return false;
            }

            _value = candidate;
            SharedLog.Reloaded(_logger, _what, _path);
        }

        Changed?.Invoke(_value);
        return true;
    }

    private (DateTime, long) Stamp()
    {
        var info = new FileInfo(_path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{_what} '{_path}' does not exist.", _path);
        }

        return (info.LastWriteTimeUtc, info.Length);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
