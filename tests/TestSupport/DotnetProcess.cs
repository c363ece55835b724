using System.Diagnostics;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// A built program (a .dll beside the test binaries) run as a real operating-system process from the
/// repository root, with its output kept, for tests that must kill it for real.
/// </summary>
public sealed class DotnetProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private DotnetProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Everything it printed so far, standard output and error.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/>; <paramref name="onLine"/> sees each line, and null when standard output ends.</summary>
    public static DotnetProcess Start(string dll, IEnumerable<string> args, Action<string?>? onLine = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DevPki.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var child = new DotnetProcess(Process.Start(info)!);
        void OnLine(string? line)
        {
            if (line is not null)
            {
                lock (child._log)
                {
                    child._log.Add(line);
                }
            }

            onLine?.Invoke(line);
        }

        child._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                OnLine(e.Data);
            }
        };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, nothing graceful.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
