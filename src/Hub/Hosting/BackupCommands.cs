using AntiFraud.Exchange.Protocol.Transparency;
using System.Security.Cryptography;
using AntiFraud.Exchange.Hub.Audit;
using Microsoft.Data.Sqlite;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// <c>afx-hub backup DIR</c> and <c>afx-hub restore DIR</c>. A backup is taken while the hub serves: the audit history, checkpoint and
/// log are copied first (a log longer than its history is fine, a torn final entry is cut when it is opened), then the store through
/// SQLite's online backup API, a consistent snapshot however busy the writer is. Everything stays as stored: sealed, under the data
/// keys the master key wraps (the key itself is not copied). A restore refuses a backup whose audit log does not match its signed history
/// and checkpoint, and never overwrites a store.
/// </summary>
internal static class BackupCommands
{
    public const string Usage = """
        afx-hub backup DIR  [--Hub:Setting=value ...]   an online, consistent copy of the store, the audit log and its checkpoint
                                                        (DIR relative to the content root, like Hub:Store:Path)
        afx-hub restore DIR [--Hub:Setting=value ...]   checks the backup's audit log against its signed history and checkpoint, then
                                                        copies it to Hub:Store:Path and the audit folder (both must not exist yet)
        The backup is encrypted as stored; keep the master key (Hub:Store:KeyPath) apart from it. Redis: see docs/redis.md.
        """;

    private static readonly string[] AuditFiles = [AuditKeys.FileName, "audit.history", "audit.checkpoint", "audit.log"];

    public static int Backup(string target, string[] settings)
    {
        var (options, files, paths) = Resolve(settings);
        target = paths.Resolve(target);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new InvalidOperationException($"{target} is not empty; back up into a new folder.");
        }

        Directory.CreateDirectory(Path.Combine(target, "audit"));
        foreach (var name in AuditFiles.Where(n => File.Exists(Path.Combine(files.AuditDirectory, n))))
        {
            File.Copy(Path.Combine(files.AuditDirectory, name), Path.Combine(target, "audit", name));
        }

        using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = files.Store, Mode = SqliteOpenMode.ReadOnly }.ToString()))
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(target, "hub.db") }.ToString()))
        {
            source.Open();
            copy.Open();
            source.BackupDatabase(copy);
        }

        SqliteConnection.ClearAllPools();
        var recovered = Verify(target, options, files);
        Console.WriteLine($"Backed up {files.Store} and its audit log ({recovered.Size} entries) to {target}. The store stays sealed under its "
            + "data keys; restoring it needs the master key (Hub:Store:KeyPath), which is not in the backup.");
        return 0;
    }

    public static int Restore(string source, string[] settings)
    {
        var (options, files, paths) = Resolve(settings);
        source = paths.Resolve(source);
        if (!File.Exists(Path.Combine(source, "hub.db")))
        {
            throw new InvalidOperationException($"{source} holds no hub.db: not a backup made by afx-hub backup.");
        }

        if (File.Exists(files.Store) || (Directory.Exists(files.AuditDirectory) && Directory.EnumerateFileSystemEntries(files.AuditDirectory).Any()))
        {
            throw new InvalidOperationException($"Hub:Store:Path {files.Store} (or its audit folder {files.AuditDirectory}) already exists; restore "
                + "into an empty place, it never overwrites a store.");
        }

        var recovered = Verify(source, options, files);
        Directory.CreateDirectory(Path.GetDirectoryName(files.Store)!);
        Directory.CreateDirectory(files.AuditDirectory);
        File.Copy(Path.Combine(source, "hub.db"), files.Store);
        foreach (var name in AuditFiles.Where(n => File.Exists(Path.Combine(source, "audit", n))))
        {
            File.Copy(Path.Combine(source, "audit", name), Path.Combine(files.AuditDirectory, name));
        }

        Console.WriteLine($"Restored {source} to {files.Store}: the audit log's {recovered.Size} entries match its signed history and "
            + "checkpoint. Start the hub with the master key the store was written with.");
        return 0;
    }

    /// <summary>Opens the backup's audit log as the hub would at start: every receipted entry byte for byte, the checkpoint's signature
    /// and root. Anything else refuses, naming the entry.</summary>
    private static RecoveredLog Verify(string folder, HubOptions options, HubFiles files)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(files.SigningKey));
        var audit = Path.Combine(folder, "audit");
        var listed = Path.Combine(audit, AuditKeys.FileName);
        IReadOnlyList<ECDsa> keys = File.Exists(listed) ? [.. SignedCheckpoint.ReadPublicKeys(File.ReadAllText(listed)), key] : [key];
        return AuditLogRecovery.Read(Path.Combine(audit, "audit.log"), Path.Combine(audit, "audit.history"), Path.Combine(audit, "audit.checkpoint"),
            options.Audit.Origin, keys);
    }

    /// <summary>The settings as the hub reads them; DIR, like every path the hub is given, is relative to its content root.</summary>
    private static (HubOptions Options, HubFiles Files, HubPaths Paths) Resolve(string[] settings)
    {
        var (options, paths) = HubHost.ReadSettings(settings);
        if (options.Store.Provider != "sqlite")
        {
            throw new InvalidOperationException($"Hub:Store:Provider is {options.Store.Provider}: afx-hub backup copies the embedded store; a Redis "
                + "store is backed up with Redis's own AOF and RDB files (docs/redis.md).");
        }

        return (options, HubFiles.Resolve(options, paths), paths);
    }
}
