namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// A file the operator edits while the hub runs (partner registry, CRL, policies). Read at start-up,
/// where a bad file stops the hub; afterwards re-read when its timestamp or size changes, checked at
/// most once per interval on access. A bad edit is logged and the last good content stays in force.
/// </summary>
internal sealed class ReloadingFile<T>
    where T : class
{
    private readonly string _path;
    private readonly string _what;
    private readonly Func<byte[], T> _parse;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private volatile T _value;
    private long _nextCheck;
    private (DateTime Written, long Length) _stamp;

    public ReloadingFile(string path, string what, Func<byte[], T> parse, TimeProvider time, ILogger logger, TimeSpan? interval = null)
    {
        _path = path;
        _what = what;
        _parse = parse;
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
                HubLog.ReloadFailed(_logger, _what, _path, ex.Message);
                return false;
            }

            if (stamp == _stamp)
            {
                return false;
            }

            try
            {
                _value = _parse(File.ReadAllBytes(_path));
                _stamp = stamp;
                HubLog.Reloaded(_logger, _what, _path);
                return true;
            }
            catch (Exception ex)
            {
                _stamp = stamp;
                HubLog.ReloadFailed(_logger, _what, _path, ex.Message);
                return false;
            }
        }
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
