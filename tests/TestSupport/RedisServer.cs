using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// A private redis-server (the Debian package) on a free loopback port, with AOF on and fsync per
/// write, in its own temporary directory: the settings the hub asks of production. Tests can stop it,
/// kill it and start it again on the same port and data.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;

    private RedisServer(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The hub settings that put a hub on this Redis.</summary>
    public string[] HubSettings => ["--Hub:Store:Provider=redis", $"--Hub:Store:Redis:Configuration={Configuration}", "--Hub:Store:Redis:TimeoutMilliseconds=1500"];

    public static RedisServer Start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "afx-redis-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(FreePort(), directory);
        server.Restart();
        return server;
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts (again) on the same port and data directory, and waits until it answers PING.</summary>
    public void Restart() => Restart(untilLoaded: true);

    /// <summary>
    /// Starts (again) on the same port and data directory; waits until it answers PING, or (when
    /// <paramref name="untilLoaded"/> is false) only until it accepts connections, perhaps still loading its AOF.
    /// </summary>
    public void Restart(bool untilLoaded)
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes", "--daemonize", "no",
            // Tests make it sleep (DEBUG SLEEP) and fill it (DEBUG POPULATE); local connections only.
            "--enable-debug-command", "local",
        })
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed; scripts/test.sh installs it (apt-get install redis-server).", e);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Bounded by count (3,000 tries, a minute when idle), not by the clock.
        for (var attempt = 0; untilLoaded ? !Ping() : !Answers(); attempt++)
        {
            if (attempt == 3000 || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>SIGKILL: whatever AOF holds is what survives.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Sends one inline command (for example "CONFIG SET appendonly no") and returns the first reply line.</summary>
    public string Command(string command)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[256];
        var read = stream.Read(buffer);
        return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
    }

    /// <summary>True when the server answers anything to PING (PONG, or LOADING while it reads its AOF).</summary>
    public bool Answers() => PingReply() is { Length: > 0 };

    public bool Ping() => PingReply()?.StartsWith("+PONG", StringComparison.Ordinal) == true;

    private string? PingReply()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[64];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
