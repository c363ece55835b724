using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>
/// The audit tree on disk, so the hub's memory does not grow with its log: the folder "tree" beside the log holds one file per level
/// (<c>level-00</c> the leaf hashes, <c>level-01</c> their parents, ...; 32 bytes a hash), <c>offsets</c> (where each entry starts in
/// the log, 8 bytes each) and <c>state</c>: a size up to which all of these were synced, with where the log and its history ended
/// then and the root there. Everything here derives from the log; past the state, the files are rebuilt from it when the log is opened.
/// </summary>
internal sealed class AuditTreeFiles : IMerkleLevels, IDisposable
{
    private const string StateHeader = "afx-audit-tree-state v1";

    private readonly string _directory;
    private readonly List<RecordFile> _levels = [];
    private readonly RecordFile _offsets;

    public AuditTreeFiles(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        _offsets = new RecordFile(OffsetsPath, 8);
        while (File.Exists(LevelPath(_levels.Count)))
        {
            _levels.Add(new RecordFile(LevelPath(_levels.Count), MerkleHash.Size));
        }
    }


    public string StatePath => Path.Combine(_directory, "state");

    public string OffsetsPath => Path.Combine(_directory, "offsets");

    public int Height => _levels.Count;

    public long Count(int level) => level < _levels.Count ? _levels[level].Count : 0;

    public byte[] Get(int level, long index)
    {
        var hash = new byte[MerkleHash.Size];
        _levels[level].Read(index, hash);
        return hash;
    }

    public void Add(int level, byte[] hash)
    {
        if (level == _levels.Count)
        {
            _levels.Add(new RecordFile(LevelPath(level), MerkleHash.Size));
        }

        _levels[level].Append(hash);
    }

    public void Truncate(int level, long count) => _levels[level].Truncate(count);

    public string LevelPath(int level) => Path.Combine(_directory, $"level-{level:D2}");

    public long Offset(long index) => ReadOffsets(index, 1)[0];

    /// <summary>Where entries [start, start + count) begin in the log.</summary>
    public long[] ReadOffsets(long start, int count)
    {
        var bytes = new byte[count * 8];
        _offsets.Read(start, bytes);
        var offsets = new long[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8));
        }

        return offsets;
    }

    public void AddOffset(long offset)
    {
        Span<byte> record = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(record, offset);
        _offsets.Append(record);
    }

    /// <summary>Keeps entries [0, size): every level and the offsets.</summary>
    public void Cut(long size)
    {
        for (var h = 0; h < _levels.Count; h++)
        {
            _levels[h].Truncate(size >> h);
        }

        _offsets.Truncate(size);
    }

    /// <summary>Whether the files hold at least entries [0, size) of a tree: every level its share, and the offsets.</summary>
    public bool Holds(long size)
    {
        for (var h = 0; size >> h > 0; h++)
        {
            if (Count(h) < size >> h)
            {
                return false;
            }
        }

        return _offsets.Count >= size;
    }

    public void Flush()
    {
        foreach (var level in _levels)
        {
            level.Flush();
        }

        _offsets.Flush();
    }

    /// <summary>Syncs every file (as last flushed), then records <paramref name="state"/> (written to a temporary file, synced and renamed into place).</summary>
    public void Save(TreeState state)
    {
        foreach (var level in _levels)
        {
            level.Sync();
        }

        _offsets.Sync();
        var text = new StringBuilder()
            .Append(StateHeader).Append('\n')
            .Append(CultureInfo.InvariantCulture, $"size {state.Size}\n")
            .Append(CultureInfo.InvariantCulture, $"log-end {state.LogEnd}\n")
            .Append(CultureInfo.InvariantCulture, $"history-end {state.HistoryEnd}\n")
            .Append(CultureInfo.InvariantCulture, $"root {Convert.ToHexStringLower(state.Root)}\n")
            .Append('\n')
            .Append(state.LatestNote ?? string.Empty)
            .ToString();
        var temp = StatePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, StatePath, overwrite: true);
    }

    /// <summary>The saved state, or null when there is none or it cannot be read (then the tree is rebuilt from the log).</summary>
    public TreeState? Load()
    {
        string text;
        try
        {
            text = File.ReadAllText(StatePath);
        }
        catch (IOException)
        {
            return null;
        }

        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return null;
        }

        var lines = text[..split].Split('\n');
        if (lines.Length != 5 || lines[0] != StateHeader)
        {
            return null;
        }

        try
        {
            var values = lines[1..].Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).ToArray();
            var note = text[(split + 2)..];
            return new TreeState(long.Parse(values[0], CultureInfo.InvariantCulture), long.Parse(values[1], CultureInfo.InvariantCulture),
                long.Parse(values[2], CultureInfo.InvariantCulture), Convert.FromHexString(values[3]), note.Length == 0 ? null : note);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Forgets the saved state: the next open rebuilds the tree from the log.</summary>
    public void Forget() => File.Delete(StatePath);

    public void Dispose()
    {
        foreach (var level in _levels)
        {
            level.Dispose();
        }

        _offsets.Dispose();
    }
}

/// <summary>
/// A point up to which the tree files were synced: the log's first <paramref name="Size"/> entries end at byte <paramref name="LogEnd"/>,
/// their history records at byte <paramref name="HistoryEnd"/>, the tree of them has root <paramref name="Root"/>, and the newest signed
/// checkpoint then was <paramref name="LatestNote"/>.
/// </summary>
internal sealed record TreeState(long Size, long LogEnd, long HistoryEnd, byte[] Root, string? LatestNote)
{
    public static TreeState Empty { get; } = new(0, 0, 0, MerkleHash.Empty(), null);
}
