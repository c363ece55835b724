using Microsoft.Win32.SafeHandles;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// A file of fixed-size records that grows only at its end, or is cut back: one level of the audit tree, or the entries' offsets.
/// Appends stay in memory until <see cref="Flush"/> writes them in one call; the last two records stay in memory after it, for the
/// appender's next hashes. Nothing is synced between <see cref="Sync"/> calls: these files are derived from the log and rebuilt from
/// it past the last synced state. Appends, flushes and cuts are the appender's; reads run beside none of them (the log's lock).
/// </summary>
internal sealed class RecordFile : IDisposable
{
    private const int KeptAfterFlush = 2;

    private readonly SafeFileHandle _handle;
    private readonly int _recordSize;

    // Records [_bufferStart, Count) in memory; [0, _written) on disk; _bufferStart <= _written <= Count.
    private byte[] _buffer;
    private long _bufferStart;
    private long _written;

    public RecordFile(string path, int recordSize)
    {
        _recordSize = recordSize;
        _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Count = _written = _bufferStart = RandomAccess.GetLength(_handle) / recordSize;
        _buffer = new byte[recordSize * 64];
    }

    public long Count { get; private set; }

    public void Append(ReadOnlySpan<byte> record)
    {
        var at = (int)((Count - _bufferStart) * _recordSize);
        if (at + _recordSize > _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        record.CopyTo(_buffer.AsSpan(at));
        Count++;
    }

    /// <summary>Reads records from <paramref name="index"/> on into <paramref name="destination"/> (a whole number of records).</summary>
    public void Read(long index, Span<byte> destination)
    {
        var count = destination.Length / _recordSize;
        if (index < 0 || index + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Records {index}..{index + count - 1} are not among the {Count} in the file.");
        }

        var fromFile = (int)Math.Clamp(_bufferStart - index, 0, count);
        if (fromFile > 0)
        {
            var part = destination[..(fromFile * _recordSize)];
            if (RandomAccess.Read(_handle, part, index * _recordSize) != part.Length)
            {
                throw new IOException($"Record {index} could not be read back: the file is shorter than it was.");
            }
        }

        if (fromFile < count)
        {
            var start = (int)((index + fromFile - _bufferStart) * _recordSize);
            _buffer.AsSpan(start, (count - fromFile) * _recordSize).CopyTo(destination[(fromFile * _recordSize)..]);
        }
    }

    /// <summary>Writes what is only in memory (without syncing it).</summary>
    public void Flush()
    {
        if (_written < Count)
        {
            var start = (int)((_written - _bufferStart) * _recordSize);
            RandomAccess.Write(_handle, _buffer.AsSpan(start, (int)((Count - _written) * _recordSize)), _written * _recordSize);
            _written = Count;
        }

        var keep = (int)Math.Min(KeptAfterFlush, Count - _bufferStart);
        var from = (int)((Count - keep - _bufferStart) * _recordSize);
        if (from > 0)
        {
            _buffer.AsSpan(from, keep * _recordSize).CopyTo(_buffer);
            _bufferStart = Count - keep;
        }
    }

    /// <summary>Syncs what <see cref="Flush"/> wrote. Touches nothing in memory, so it may run beside readers.</summary>
    public void Sync() => RandomAccess.FlushToDisk(_handle);

    /// <summary>Keeps the first <paramref name="count"/> records.</summary>
    public void Truncate(long count)
    {
        if (count >= Count)
        {
            return;
        }

        if (count < _written)
        {
            RandomAccess.SetLength(_handle, count * _recordSize);
            _written = count;
        }

        _bufferStart = Math.Min(_bufferStart, count);
        Count = count;
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        catch (IOException)
        {
            // Derived data: the next open rebuilds whatever is past the last saved state from the log.
        }
        finally
        {
            _handle.Dispose();
        }
    }
}
