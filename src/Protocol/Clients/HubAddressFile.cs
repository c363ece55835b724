namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// How a tool learns where a hub it started listens: it starts afx-hub with --Hub:AddressFile=PATH and
/// Hub:Listen on port 0, and the hub writes its bound address there (whole, then renamed) once it
/// listens: the partner address (https://host:port) on the first line, then "ops http://host:port" when the
/// operations port is on. Used by the demo, the load tool and the tests alike; no log line is parsed.
/// </summary>
public static class HubAddressFile
{
    /// <summary>A fresh file name for a hub to write its address to.</summary>
    public static string NewPath(string folder) => Path.Combine(folder, "afx-hub-address-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The hub's operations port (http://host:port: /healthz, /readyz, /metrics) from a file it wrote, or null when it has
    /// none (Hub:Ops:Listen=none) or the file is gone.</summary>
    public static Uri? Ops(string path)
    {
        try
        {
            return File.ReadAllLines(path).FirstOrDefault(l => l.StartsWith("ops ", StringComparison.Ordinal)) is { } line
                ? new Uri(line[4..].Trim())
                : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The address once the hub wrote it; null when the hub exited first or did not listen within
    /// <paramref name="looks"/> looks a tenth of a second apart (bounded by count, whatever the machine's load).
    /// </summary>
    public static async Task<Uri?> WaitAsync(string path, Func<bool> exited, int looks = 600, CancellationToken cancellationToken = default)
    {
        for (var look = 0; look < looks; look++)
        {
            if (File.Exists(path))
            {
                return new Uri((await File.ReadAllLinesAsync(path, cancellationToken))[0].Trim());
            }

            if (exited())
            {
                return null;
            }

            await Task.Delay(100, cancellationToken);
        }

        return null;
    }
}
