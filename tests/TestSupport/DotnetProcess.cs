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

    /// <summary>The operating system's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has ended; then <see cref="ExitCode"/> is known.</summary>
    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the process to end by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>
    /// Starts <paramref name="dll"/> from the repository root (or <paramref name="workingDirectory"/>), with
    /// extra <paramref name="environment"/> variables; <paramref name="onLine"/> sees each line, and null when
    /// standard output ends.
    /// </summary>
    public static DotnetProcess Start(string dll, IEnumerable<string> args, Action<string?>? onLine = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? DevPki.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

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
