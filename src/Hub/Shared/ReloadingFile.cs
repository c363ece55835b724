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
    private readonly ConfigurationJournal? _journal;
    private readonly Func<T, T, string>? _describe;
    private readonly string[] _companions;
    private volatile T _value;
    private string _sha256;
    private long _nextCheck;
    private (DateTime Written, long Length) _stamp;

    /// <param name="accept">Given the content in force and a newly read one, a reason to refuse the new one, or null to take it.</param>
    /// <param name="journal">Where every load, change and refused edit is reported (for the audit log).</param>
    /// <param name="describe">Given the content in force and the new one, what changed, in words.</param>
    /// <param name="companions">Files <paramref name="parse"/> reads beside this one (a certificate's private key): a change to any of
    /// them is a change too.</param>
    public ReloadingFile(string path, string what, Func<byte[], T> parse, TimeProvider time, ILogger logger, TimeSpan? interval = null,
        Func<T, T, string?>? accept = null, ConfigurationJournal? journal = null, Func<T, T, string>? describe = null,
        IReadOnlyList<string>? companions = null)
    {
        _companions = [.. companions ?? []];
        _path = path;
        _what = what;
        _parse = parse;
        _accept = accept;
        _journal = journal;
        _describe = describe;
        _time = time;
        _logger = logger;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _stamp = Stamp();
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
            _value = parse(content);
        }
        catch (Exception ex) when (ex is not IOException)
        {
            throw new InvalidOperationException($"{what} '{path}' is invalid: {ex.Message}", ex);
        }

        _sha256 = Fingerprint(content);
        _journal?.Report(new ConfigurationChange(what, path, true, null, _sha256, "in force at start"));

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
        ConfigurationChange? report = null;
        try
        {
            return Refresh(now, out report);
        }
        finally
        {
            if (report is not null)
            {
                _journal?.Report(report);
            }
        }
    }

    private bool Refresh(long now, out ConfigurationChange? report)
    {
        report = null;
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
            byte[] content;
            try
            {
                content = File.ReadAllBytes(_path);
                candidate = _parse(content);
            }
            catch (Exception ex)
            {
                _stamp = stamp;
                SharedLog.ReloadFailed(_logger, _what, _path, ex.Message);
                report = new ConfigurationChange(_what, _path, false, _sha256, "-", "edit refused, the previous content stays in force: "
                    + ex.Message);
                return false;
            }

            _stamp = stamp;
            var sha256 = Fingerprint(content);
            if (_accept?.Invoke(_value, candidate) is { } refusal)
            {
                SharedLog.ReloadRefused(_logger, _what, _path, refusal);
                report = new ConfigurationChange(_what, _path, false, _sha256, sha256,
                    "edit refused, the previous content stays in force: " + refusal);
                return false;
            }

            if (sha256 == _sha256)
            {
                // Touched, not changed.
                return false;
            }

            report = new ConfigurationChange(_what, _path, true, _sha256, sha256, _describe?.Invoke(_value, candidate)
                ?? "content changed");
            _value = candidate;
            _sha256 = sha256;
            SharedLog.Reloaded(_logger, _what, _path);
        }

        Changed?.Invoke(_value);
        return true;
    }

    /// <summary>SHA-256 of the content, then of each companion's (so a changed private key alone counts as a change).</summary>
    private string Fingerprint(byte[] content)
    {
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        foreach (var companion in _companions)
        {
            sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.ASCII.GetBytes(sha256).Concat(File.ReadAllBytes(companion)).ToArray()));
        }

        return sha256;
    }

    private (DateTime, long) Stamp()
    {
        var (written, length) = Stamp(_path);
        foreach (var companion in _companions)
        {
            var (w, l) = Stamp(companion);
            written = w > written ? w : written;
            length = unchecked(length * 31 + l);
        }

        return (written, length);
    }

    private (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{_what} '{path}' does not exist.", path);
        }

        return (info.LastWriteTimeUtc, info.Length);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
