using System.Runtime.InteropServices;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// The hub's files hold cases (sealed, but still the hub's alone): the store, its WAL, the audit log, the checkpoint, the key ring
/// are created 0600 and their folders 0700, whatever the operator's umask. Files and folders from an earlier run are tightened at
/// start too.
/// </summary>
internal static partial class PrivateFiles
{
    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint SetUmask(uint mask);

    /// <summary>Everything this process creates from now on: owner only. (Only afx-hub's own process: tests hosting the hub keep theirs.)</summary>
    public static void ForThisProcess()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            SetUmask(0b000_111_111);
        }
    }

    /// <summary>Tightens what an earlier run left: the store (with its WAL and shared-memory files) and the hub's own folders (the audit
    /// log, the identity state), each file 0600 and folder 0700. Never the folder the store sits in, which may be shared.</summary>
    public static void Tighten(string store, params string[] folders)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in new[] { store, store + "-wal", store + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, OwnerFile);
        }

        foreach (var folder in folders.Where(Directory.Exists))
        {
            File.SetUnixFileMode(folder, OwnerFolder);
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(entry, Directory.Exists(entry) ? OwnerFolder : OwnerFile);
            }
        }
    }

    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
}
