using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// The hub as a real operating-system process (the built afx-hub), for tests that must kill it for
/// real. It listens on 127.0.0.1:0; the port is read from its log line.
/// </summary>
public sealed partial class HubProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private HubProcess(Process process)
    {
        _process = process;
    }

    public int Port { get; private set; }

    public string Address => $"https://127.0.0.1:{Port}";

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

    /// <summary>The hub binary built beside the test binaries (same configuration).</summary>
    public static string HubDll => DevPki.BuiltDll("src/Hub", "afx-hub.dll");

    public static async Task<HubProcess> StartAsync(params string[] settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DevPki.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HubDll);
        info.ArgumentList.Add("--Hub:Listen=127.0.0.1:0");
        foreach (var s in settings)
        {
            info.ArgumentList.Add(s);
        }

        var hub = new HubProcess(Process.Start(info)!);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException("afx-hub exited before listening:\n" + string.Join('\n', hub.Log)));
                return;
            }

            lock (hub._log)
            {
                hub._log.Add(line);
            }

            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        hub._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        hub._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                OnLine(e.Data);
            }
        };
        hub._process.BeginOutputReadLine();
        hub._process.BeginErrorReadLine();
        hub.Port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return hub;
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

    [GeneratedRegex(@"listening on https://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
