using System.Diagnostics;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// Debian's chromium, headless, as a browser user of the web console: its own NSS database (the dev root trusted, and a partner's
/// certificate and key when given) and profile. The certificate is presented without a dialog by the policy
/// AutoSelectCertificateForUrls for https://127.0.0.1:*, which scripts/test.sh installs (this class writes it when it runs as root
/// and it is missing). Each page load is one browser process, bounded by a time limit only as a guard against a hang.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string PolicyFile = "/etc/chromium/policies/managed/afx-console-tests.json";

    private const string Policy = """{ "AutoSelectCertificateForUrls": ["{\"pattern\":\"https://127.0.0.1:*\",\"filter\":{}}"] }""";

    private readonly string _home = Path.Combine(Path.GetTempPath(), "afx-chromium-" + Guid.NewGuid().ToString("N")[..8]);

    private HeadlessChromium()
    {
    }

    /// <summary>A browser holding <paramref name="partner"/>'s dev certificate, or none.</summary>
    public static async Task<HeadlessChromium> StartAsync(string? partner)
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            throw new InvalidOperationException("chromium is not installed: scripts/test.sh installs it (apt-get install chromium libnss3-tools).");
        }

        EnsurePolicy();
        var browser = new HeadlessChromium();
        var nss = "sql:" + Path.Combine(browser._home, ".pki", "nssdb");
        Directory.CreateDirectory(Path.Combine(browser._home, ".pki", "nssdb"));
        await RunAsync("certutil", ["-N", "-d", nss, "--empty-password"]);
        await RunAsync("certutil", ["-A", "-d", nss, "-n", "afx-dev-root", "-t", "C,,", "-i", DevPki.RootCaPath]);
        if (partner is not null)
        {
            var p12 = Path.Combine(browser._home, partner + ".p12");
            await RunAsync("openssl", ["pkcs12", "-export", "-in", DevPki.PartnerCertPath(partner), "-inkey", DevPki.PartnerKeyPath(partner),
                "-certfile", DevPki.IssuingCaPath, "-out", p12, "-passout", "pass:"]);
            await RunAsync("pk12util", ["-d", nss, "-i", p12, "-W", ""]);
        }

        return browser;
    }

    private static void EnsurePolicy()
    {
        if (File.Exists(PolicyFile))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PolicyFile)!);
            File.WriteAllText(PolicyFile, Policy);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException($"{PolicyFile} is missing and this user cannot write it: run scripts/test.sh (it installs it as root).", e);
        }
    }

    /// <summary>The page's DOM after load (scripts run); empty when the browser could not load it (a refused handshake).</summary>
    public async Task<string> DomAsync(string url) => (await ChromiumAsync(["--dump-dom", url])).Output;

    /// <summary>Saves a screenshot of the page as a test artefact.</summary>
    public async Task ScreenshotAsync(string url, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await ChromiumAsync([$"--screenshot={path}", "--window-size=1280,1400", "--hide-scrollbars", url]);
    }

    private Task<(int Code, string Output)> ChromiumAsync(string[] args) => RunAsync("chromium",
        ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
            $"--user-data-dir={Path.Combine(_home, "profile")}", .. args], _home, check: false);

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string? home = null, bool check = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (home is not null)
        {
            start.Environment["HOME"] = home;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within 90 s");
        }

        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}");
        }

        return (process.ExitCode, await output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A browser helper still closing; the temp folder is cleaned later.
        }
    }
}
