namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>Where afx keeps its settings and state: $XDG_CONFIG_HOME/afx, else ~/.config/afx.</summary>
internal static class ConfigHome
{
    public static string Directory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var root = string.IsNullOrEmpty(xdg) || !Path.IsPathRooted(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
                : xdg;
            return Path.Combine(root, "afx");
        }
    }

    /// <summary>A file name for any text (a hub address, a log origin): safe on every file system, and one text per name.</summary>
    public static string FileName(string text) => Uri.EscapeDataString(text).Replace("%", "_", StringComparison.Ordinal);
}
