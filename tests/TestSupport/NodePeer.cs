using System.Diagnostics;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// Runs the independent gRPC peer: @grpc/grpc-js under node, from tests/interop. The test command
/// installs it with `npm ci`; when it is missing the tests fail and say so (they are never skipped).
/// </summary>
public static class NodePeer
{
    public static string InteropDir => Path.Combine(DevPki.RepoRoot, "tests", "interop");

    public static void EnsureInstalled()
    {
        if (!Directory.Exists(Path.Combine(InteropDir, "node_modules", "@grpc", "grpc-js")))
        {
            throw new InvalidOperationException(
                "@grpc/grpc-js is not installed in tests/interop. Run `npm ci --prefix tests/interop` (scripts/test.sh does this).");
        }
    }

    /// <summary>Runs a node script to completion and returns its output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        EnsureInstalled();
        using var process = Start(script, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within {timeout}. Output so far: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts tests/interop/server.js with the dev server certificate and waits until it listens.</summary>
    public static async Task<NodeServer> StartServerAsync(bool requireClientCertificate = true)
    {
        EnsureInstalled();
        var process = Start("server.js",
        [
            "--ca", DevPki.RootCaPath,
            "--cert", DevPki.ServerChainPath,
            "--key", DevPki.ServerKeyPath,
            "--no-client-cert", requireClientCertificate ? "false" : "true",
        ]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null)
            {
                var error = await process.StandardError.ReadToEndAsync(cts.Token);
                throw new InvalidOperationException("node server.js exited before listening: " + error);
            }

            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                return new NodeServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static Process Start(string script, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(InteropDir, script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start node");
    }
}

/// <summary>A running grpc-js server; disposing kills it.</summary>
public sealed class NodeServer(Process process, int port) : IDisposable
{
    public int Port { get; } = port;

    public string Address => $"https://127.0.0.1:{Port}";

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
