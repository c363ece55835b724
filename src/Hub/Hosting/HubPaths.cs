namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Resolves the relative paths in the settings (certificates, policies, data) against one folder, the
/// content root: <c>Hub:ContentRoot</c> when set, otherwise the nearest folder at or above the hub's
/// binary that holds a <c>config/</c> folder (the repository root when run from a checkout, the
/// installation folder when deployed). Never against the working directory: a trust anchor or policy
/// planted wherever the hub happens to be started is never read.
/// </summary>
internal sealed class HubPaths(string root)
{
    public string Root { get; } = root;

    public static HubPaths For(HubOptions options)
    {
        if (!string.IsNullOrEmpty(options.ContentRoot))
        {
            var configured = Path.GetFullPath(options.ContentRoot);
            return Directory.Exists(configured)
                ? new HubPaths(configured)
                : throw new DirectoryNotFoundException($"Hub:ContentRoot '{options.ContentRoot}' is not a folder.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "config")))
            {
                return new HubPaths(dir.FullName);
            }
        }

        return new HubPaths(AppContext.BaseDirectory);
    }

    /// <summary>The full path of a setting's value, whether or not the file exists yet (data files).</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Root, path));

    /// <summary>The full path of a file that must exist; a clear start-up error naming the setting otherwise.</summary>
    public string ResolveExisting(string path, string setting)
    {
        var full = Resolve(path);
        if (File.Exists(full))
        {
            return full;
        }

        throw new FileNotFoundException(
            $"{setting} '{path}' does not exist (looked for {full}; relative paths resolve against the content root {Root}). "
            + $"Set {setting} (environment variable {setting.Replace(":", "__", StringComparison.Ordinal)}) to an absolute path, or Hub:ContentRoot to the folder that holds it.");
    }

    /// <summary>True when <paramref name="path"/> lies inside the committed development PKI (certs-dev/).</summary>
    public bool IsDevelopmentMaterial(string path) =>
        Path.GetFullPath(path).StartsWith(Path.Combine(Root, "certs-dev") + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
