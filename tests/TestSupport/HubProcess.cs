using System.Text.RegularExpressions;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// The hub as a real operating-system process (the built afx-hub), for tests that must kill it for
/// real. It listens on 127.0.0.1:0; the port is read from its log line.
/// </summary>
public sealed partial class HubProcess : IDisposable
{
    private readonly DotnetProcess _process;

    private HubProcess(DotnetProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"https://127.0.0.1:{Port}";

    public IReadOnlyList<string> Log => _process.Log;

    /// <summary>The hub binary built beside the test binaries (same configuration).</summary>
    public static string HubDll => DevPki.BuiltDll("src/Hub", "afx-hub.dll");

    public static async Task<HubProcess> StartAsync(params string[] settings)
    {
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        DotnetProcess? process = null;
        process = DotnetProcess.Start(HubDll, ["--Hub:Listen=127.0.0.1:0", .. settings], line =>
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException("afx-hub exited before listening:\n" + string.Join('\n', process?.Log ?? [])));
            }
            else if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        try
        {
            return new HubProcess(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, nothing graceful.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"listening on https://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
