using AntiFraud.Exchange.Protocol.Clients;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// The hub as a real operating-system process (the built afx-hub), for tests that must kill it for
/// real. It listens on 127.0.0.1:0; the port is read from its log line.
/// </summary>
public sealed class HubProcess : IDisposable
{
    private readonly DotnetProcess _process;

    private HubProcess(DotnetProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"https://127.0.0.1:{Port}";

    /// <summary>The operations port (plain HTTP: /healthz, /readyz, /metrics), or null when it is off.</summary>
    public Uri? OpsAddress { get; private init; }

    public IReadOnlyList<string> Log => _process.Log;

    /// <summary>The hub binary built beside the test binaries (same configuration).</summary>
    public static string HubDll => DevPki.BuiltDll("src/Hub", "afx-hub.dll");

    public int Pid => _process.Pid;

    public static Task<HubProcess> StartAsync(params string[] settings) => StartAsync(settings, null, null);

    /// <summary>Starts the hub with <paramref name="settings"/>, from <paramref name="workingDirectory"/> (default: the repository root).</summary>
    public static async Task<HubProcess> StartAsync(string[] settings, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        // The hub writes its bound address to this file once it listens (Hub:AddressFile): no log line is parsed.
        var addressFile = HubAddressFile.NewPath(Path.GetTempPath());
        var process = DotnetProcess.Start(HubDll, ["--Hub:Listen=127.0.0.1:0", $"--Hub:AddressFile={addressFile}", .. settings], null,
            workingDirectory, WithDevelopment(environment));
        try
        {
            var address = await HubAddressFile.WaitAsync(addressFile, () => process.HasExited);
            return address is not null
                ? new HubProcess(process, address.Port) { OpsAddress = HubAddressFile.Ops(addressFile) }
                : throw new InvalidOperationException((process.HasExited ? "afx-hub exited before listening:\n" : "afx-hub did not listen within 60 s:\n")
                    + string.Join('\n', process.Log));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the hub until it exits by itself (a refused start-up), and returns its exit code and output.
    /// Fails when it is still running after <paramref name="within"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string[] settings, TimeSpan within,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = DotnetProcess.Start(HubDll, ["--Hub:Listen=127.0.0.1:0", .. settings], null, workingDirectory, WithDevelopment(environment));
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException("afx-hub did not exit:\n" + string.Join('\n', process.Log));
        }

        // Let the output readers drain.
        await Task.Delay(200);
        return (process.ExitCode, string.Join('\n', process.Log));
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, nothing graceful.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Test hubs run on the development PKI, which needs a Development environment unless the test says otherwise.</summary>
    private static Dictionary<string, string> WithDevelopment(IReadOnlyDictionary<string, string>? environment)
    {
        var all = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }

        return all;
    }

    public void Dispose() => _process.Dispose();
}
