using System.Diagnostics;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>Runs the built afx as a process: exit code, standard output, standard error.</summary>
internal static class Afx
{
    public sealed record Run(int Code, string Out, string Err);

    public static async Task<Run> RunAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DevPki.RepoRoot };
        info.ArgumentList.Add(DevPki.BuiltDll("src/Clients", "afx.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "AFX_HUB", "AFX_PARTNER", "AFX_CERT", "AFX_KEY", "AFX_CA", "AFX_PROFILE" })
        {
            info.Environment.Remove(name);
        }

        // Keep witness state out of the user's home.
        info.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "afx-home-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Run> RunAsync(params string[] args) => RunAsync(null, args);
}
