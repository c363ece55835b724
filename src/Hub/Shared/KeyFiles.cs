namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>Key files must be private to the hub's user: group or others able to read one is a refusal, not a warning.</summary>
public static class KeyFiles
{
    private const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <param name="developmentMaterial">The committed development material (certs-dev/): a clone makes those files 0644, so they
    /// are tightened to 0600 instead of refused (the hub already says loudly that it runs on development material).</param>
    public static void RequirePrivate(string path, string setting, bool developmentMaterial)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & Shared) == 0)
        {
            return;
        }

        if (developmentMaterial)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return;
        }

        throw new InvalidOperationException($"{setting}: '{path}' is readable by group or others (mode {Convert.ToString((int)mode, 8)}); "
            + $"the hub starts only with a private key file: chmod 600 {path}");
    }
}
