using System.Globalization;
using System.Text;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>One dead letter: the file kept as it was, and why it failed.</summary>
internal sealed record DeadLetter(string Name, string Path, IReadOnlyDictionary<string, string> Reason)
{
    public string Direction => Reason.GetValueOrDefault("direction", "inbound");

    public string Problem => Reason.GetValueOrDefault("problem", "");

    public string Time => Reason.GetValueOrDefault("time", "");
}

/// <summary>
/// Files that could not be translated or answered, kept with a NAME.reason file beside them: when,
/// which direction, the format, the position, the field and the problem. Nothing is dropped; an operator
/// lists them, fixes the file in place and re-submits it.
/// </summary>
internal sealed class DeadLetters(BridgeFolders folders, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _kept = new(StringComparer.Ordinal);

    /// <summary>How many files this bridge has dead-lettered since it started, by direction (for its metrics).</summary>
    public IReadOnlyDictionary<string, long> KeptSinceStart => _kept;

    /// <summary>Moves <paramref name="path"/> into dead-letter/ and writes its reason; returns the new name.</summary>
    public string Keep(string path, string direction, IReadOnlyDictionary<string, string> details)
    {
        var target = BridgeFolders.Unique(System.IO.Path.Combine(folders.DeadLetter, System.IO.Path.GetFileName(path)));
        WriteReason(target, direction, System.IO.Path.GetRelativePath(folders.Root, path), details);
        File.Move(path, target);
        _kept.AddOrUpdate(direction, 1, static (_, n) => n + 1);
        return System.IO.Path.GetFileName(target);
    }

    /// <summary>Keeps content that never was a file (an inbox item that could not be written in the native format).</summary>
    public string KeepContent(string name, byte[] content, string direction, IReadOnlyDictionary<string, string> details)
    {
        var target = BridgeFolders.Unique(System.IO.Path.Combine(folders.DeadLetter, name));
        WriteReason(target, direction, "(inbox item " + name + ")", details);
        BridgeFolders.WriteDurably(target, content);
        _kept.AddOrUpdate(direction, 1, static (_, n) => n + 1);
        return System.IO.Path.GetFileName(target);
    }

    private void WriteReason(string target, string direction, string source, IReadOnlyDictionary<string, string> details)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"time: {time.GetUtcNow():O}\n");
        text.Append(CultureInfo.InvariantCulture, $"direction: {direction}\n");
        text.Append(CultureInfo.InvariantCulture, $"source: {source}\n");
        foreach (var (key, value) in details)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}: {value.ReplaceLineEndings(" ")}\n");
        }

        BridgeFolders.WriteDurably(target + ".reason", Encoding.UTF8.GetBytes(text.ToString()));
    }

    public IReadOnlyList<DeadLetter> List()
    {
        if (!Directory.Exists(folders.DeadLetter))
        {
            return [];
        }

        return Directory.EnumerateFiles(folders.DeadLetter)
            .Where(p => !p.EndsWith(".reason", StringComparison.Ordinal) && !p.EndsWith(".tmp", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => new DeadLetter(System.IO.Path.GetFileName(p), p, ReadReason(p + ".reason")))
            .ToList();
    }

    private static Dictionary<string, string> ReadReason(string path)
    {
        var reason = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return reason;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                reason[line[..colon]] = line[(colon + 2)..];
            }
        }

        return reason;
    }

    /// <summary>
    /// Re-submits a dead letter after a fix. An answer file goes back into answers/ and a police request file
    /// into requests/ (the running bridge takes them from there); an inbox item is translated again with
    /// <paramref name="republish"/> and written to outbox/.
    /// </summary>
    public string Resubmit(string name, Func<DeadLetter, string> republish)
    {
        var letter = List().FirstOrDefault(l => l.Name == name)
            ?? throw new FileNotFoundException($"no dead letter named '{name}' in {folders.DeadLetter}");
        string destination;
        if (letter.Direction == "outbound")
        {
            destination = republish(letter);
            File.Delete(letter.Path);
        }
        else
        {
            var folder = letter.Direction switch
            {
                "submission" => folders.Requests,
                "alert" => folders.Alerts,
                "bulk-results" => folders.BulkResults,
                _ => folders.Answers,
            };
            destination = BridgeFolders.Unique(System.IO.Path.Combine(folder, name));
            File.Move(letter.Path, destination);
        }

        File.Delete(letter.Path + ".reason");
        return destination;
    }
}
