namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// How a tool learns where a hub it started listens: it starts afx-hub with --Hub:AddressFile=PATH and
/// Hub:Listen on port 0, and the hub writes its bound address there (whole, then renamed) once it
/// listens. Used by the demo, the load tool and the tests alike; no log line is parsed.
/// </summary>
public static class HubAddressFile
{
    /// <summary>A fresh file name for a hub to write its address to.</summary>
    public static string NewPath(string folder) => Path.Combine(folder, "afx-hub-address-" + Guid.NewGuid().ToString("N")[..12]);

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
                return new Uri((await File.ReadAllTextAsync(path, cancellationToken)).Trim());
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
