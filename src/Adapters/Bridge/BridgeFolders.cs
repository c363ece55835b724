using System.Globalization;
using System.Text;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// The folders a bridge shares with its partner, and the only file operations it uses on them: write to
/// a temporary name and rename, move, and marker files for what was already delivered.
/// <code>
/// outbox/        requests for the partner, one file each (the partner takes them away)
/// answers/       the partner's answer files (write them as .tmp or .part, or outside, then rename)
/// requests/      a police unit's submissions (canonical JSON SubmitRequest), written the same way
/// bulk-results/  a bank's or carrier's results of bulk orders (order_id,item_no,outcome,reason,done_at)
/// receipts/      for each submitted request file, the hub's replies (exchange id, deadline, receipt)
/// archive/       answers and requests processed, by day
/// dead-letter/   files that failed, each with NAME.reason beside it
/// state/         the bridge's own bookkeeping (delivered markers, files being written)
/// </code>
/// </summary>
internal sealed class BridgeFolders
{
    public BridgeFolders(string root)
    {
        Root = Path.GetFullPath(root);
        Outbox = Path.Combine(Root, "outbox");
        Answers = Path.Combine(Root, "answers");
        Requests = Path.Combine(Root, "requests");
        Alerts = Path.Combine(Root, "alerts");
        BulkResults = Path.Combine(Root, "bulk-results");
        Receipts = Path.Combine(Root, "receipts");
        Archive = Path.Combine(Root, "archive");
        DeadLetter = Path.Combine(Root, "dead-letter");
        Delivered = Path.Combine(Root, "state", "delivered");
        Temporary = Path.Combine(Root, "state", "tmp");
    }

    public string Root { get; }

    public string Outbox { get; }

    public string Answers { get; }

    public string Requests { get; }

    /// <summary>A bank's or carrier's early-warning exports, raised as alerts.</summary>
    public string Alerts { get; }

    /// <summary>A bank's or carrier's results of bulk orders, sent item by item.</summary>
    public string BulkResults { get; }

    public string Receipts { get; }

    public string Archive { get; }

    public string DeadLetter { get; }

    public string Delivered { get; }

    public string Temporary { get; }

    public void Create()
    {
        foreach (var folder in new[] { Outbox, Answers, Requests, Alerts, BulkResults, Receipts, Archive, DeadLetter, Delivered, Temporary })
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>Whether a file in answers/ is complete and ours to take (not hidden, not still being written).</summary>
    public static bool IsReady(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.') && !name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith(".part", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".reason", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Writes <paramref name="content"/> durably under a temporary name, for <see cref="Publish"/> to rename.</summary>
    public string Stage(string name, byte[] content) =>
        StageAsync(name, (file, _) => { file.Write(content); return Task.CompletedTask; }, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Writes a file durably under a temporary name as <paramref name="write"/> produces it (a bulk order, a chunk at a time).</summary>
    public async Task<string> StageAsync(string name, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Temporary, name);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 65536, FileOptions.None))
        {
            await write(file, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }

        return path;
    }

    /// <summary>
    /// Delivers a staged file to outbox/ exactly once: the marker is written first (naming the file), then the
    /// rename. After a crash between the two, <see cref="Recover"/> finishes the rename.
    /// </summary>
    public void Publish(string exchangeId, string staged)
    {
        var name = Path.GetFileName(staged);
        WriteDurably(Path.Combine(Delivered, exchangeId), Encoding.UTF8.GetBytes(name));
        File.Move(staged, Path.Combine(Outbox, name), overwrite: true);
    }

    public bool WasDelivered(string exchangeId) => File.Exists(Path.Combine(Delivered, exchangeId));

    /// <summary>
    /// Start-up: files staged and marked but not yet renamed are published; staged files without a marker
    /// are dropped (their items were never acknowledged, so the hub delivers them again).
    /// </summary>
    public (int Published, int Dropped) Recover()
    {
        var marked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var marker in Directory.EnumerateFiles(Delivered))
        {
            if (marker.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A marker cut off before its rename does not count: its file is dropped below and written again.
                File.Delete(marker);
                continue;
            }

            marked.Add(File.ReadAllText(marker));
        }

        int published = 0, dropped = 0;
        foreach (var staged in Directory.EnumerateFiles(Temporary))
        {
            if (marked.Contains(Path.GetFileName(staged)))
            {
                File.Move(staged, Path.Combine(Outbox, Path.GetFileName(staged)), overwrite: true);
                published++;
            }
            else
            {
                File.Delete(staged);
                dropped++;
            }
        }

        return (published, dropped);
    }

    /// <summary>Moves a processed answer file to archive/yyyyMMdd/, never overwriting an earlier one.</summary>
    public string ArchiveAnswer(string path, DateTimeOffset now)
    {
        var folder = Path.Combine(Archive, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var target = Unique(Path.Combine(folder, Path.GetFileName(path)));
        File.Move(path, target);
        return target;
    }

    public static string Unique(string path)
    {
        if (!File.Exists(path))
        {
            return path;
        }

        var folder = Path.GetDirectoryName(path)!;
        var stem = Path.GetFileNameWithoutExtension(path);
        var extension = Path.GetExtension(path);
        for (var i = 2; ; i++)
        {
            var candidate = Path.Combine(folder, $"{stem}.{i}{extension}");
            if (!File.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    public static void WriteDurably(string path, byte[] content)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
