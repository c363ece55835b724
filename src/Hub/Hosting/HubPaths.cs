namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Resolves the relative paths in the settings (certificates, data): against the working directory
/// first, then against each folder above the executable, so the hub finds certs-dev/ when started from
/// the repository root or from its build output.
/// </summary>
internal static class HubPaths
{
    public static string ResolveExisting(string path, string setting)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : throw Missing(path, setting, [path]);
        }

        var tried = new List<string>();
        foreach (var root in Roots())
        {
            var candidate = Path.GetFullPath(Path.Combine(root, path));
            tried.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw Missing(path, setting, tried);
    }

    private static IEnumerable<string> Roots()
    {
        yield return Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return dir.FullName;
        }
    }

    private static FileNotFoundException Missing(string path, string setting, IEnumerable<string> tried) =>
        new($"{setting} '{path}' does not exist. Looked in: {string.Join(", ", tried.Distinct().Take(6))}. " +
            $"Start the hub from the repository root, or set {setting} (environment variable {setting.Replace(":", "__", StringComparison.Ordinal)}) to an absolute path.");
}
