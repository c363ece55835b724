using System.Diagnostics;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Protocol.Clients;

namespace AntiFraud.Exchange.Clients.Demo;

/// <summary>
/// Starts the hub (afx-hub, built beside afx) as a process on its embedded store in a temporary
/// folder, with the dev PKI, listening on a free loopback port; stops it and removes the folder.
/// </summary>
internal sealed class HubLauncher : IDisposable
{
    private readonly Process _process;

    private HubLauncher(Process process, string folder, string address)
    {
        _process = process;
        Folder = folder;
        Address = address;
    }

    public string Folder { get; }

    public string Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>The hub's resident memory now, in bytes.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public static async Task<HubLauncher> StartAsync(CancellationToken cancellationToken, params string[] settings)
    {
        var (root, dll) = Locate();
        var folder = Path.Combine(Path.GetTempPath(), "afx-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The demo's hub runs on the development PKI, which a Production hub refuses.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        // The hub writes its bound address here once it listens (Hub:AddressFile).
        var addressFile = HubAddressFile.NewPath(folder);
        foreach (var arg in (string[])[dll, "--Hub:Listen=127.0.0.1:0", $"--Hub:AddressFile={addressFile}",
            $"--Hub:Store:Path={Path.Combine(folder, "hub.db")}", "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:AntiFraud.Exchange.Hub=Information", "--Logging:LogLevel:AntiFraud.Exchange.Hub.Exchanges=Warning",
            "--Logging:LogLevel:AntiFraud.Exchange.Hub.Audit=Warning", "--Logging:LogLevel:AntiFraud.Exchange.Hub.Deadlines=Warning", .. settings])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var log = new List<string>();
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = (await HubAddressFile.WaitAsync(addressFile, () => process.HasExited,
            cancellationToken: cancellationToken))?.ToString().TrimEnd('/');
        if (address is null)
        {
            var why = process.HasExited ? "exited before listening" : "did not listen within 60 s";
            process.Kill(entireProcessTree: true);
            process.Dispose();
            lock (log)
            {
                throw new InvalidOperationException($"afx-hub {why}:\n" + string.Join('\n', log));
            }
        }

        return new HubLauncher(process, folder, address);
    }

    /// <summary>The repository root (for config/ and certs-dev/) and the built hub, Release preferred when afx is Release.</summary>
    private static (string Root, string Dll) Locate()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var c in new[] { configuration, configuration == "Release" ? "Debug" : "Release" })
            {
                var dll = Path.Combine(dir.FullName, "src", "Hub", "bin", c, "net10.0", "afx-hub.dll");
                if (File.Exists(dll))
                {
                    return (dir.FullName, dll);
                }
            }
        }

        throw new UsageException("cannot find the built hub (src/Hub/bin/.../afx-hub.dll): run afx from the repository (dotnet run --project src/Clients -- demo), or give --hub.");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
