using AntiFraud.Exchange.Protocol.Clients;
using System.Text.Json;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>A setting that cannot be used; the message names where the value came from.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Where afx connects and as whom. Each setting comes from a flag, else an environment variable, else
/// the chosen profile, else a default; <see cref="Source"/> remembers which, so an error can say.
/// </summary>
internal sealed class Connection
{
    private readonly Dictionary<string, (string Value, string Source)> _settings = new(StringComparer.Ordinal);

    public string Hub => _settings["hub"].Value;

    public string Partner => _settings["partner"].Value;

    public string Cert => _settings["cert"].Value;

    public string Key => _settings["key"].Value;

    public string Ca => _settings["ca"].Value;

    public string Source(string setting) => _settings[setting].Source;

    /// <summary>The profile file: AFX_PROFILES, else profiles.json in $XDG_CONFIG_HOME/afx (~/.config/afx).</summary>
    public static string ProfilesPath => Environment.GetEnvironmentVariable("AFX_PROFILES") ?? Path.Combine(ConfigHome.Directory,
        "profiles.json");

    public static Connection Resolve(GlobalOptions.Values flags)
    {
        var profileName = flags.Profile ?? Environment.GetEnvironmentVariable("AFX_PROFILE");
        var profile = profileName is null ? null : LoadProfile(profileName);
        var connection = new Connection();
        void Set(string name, string? flag, string flagName, string env, Func<Connection, string?> fallback, string fallbackSource)
        {
            if (flag is not null)
            {
                connection._settings[name] = (flag, flagName);
            }
            else if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } fromEnv)
            {
                connection._settings[name] = (fromEnv, env);
            }
            else if (profile is not null && profile.TryGetValue(name, out var fromProfile))
            {
                connection._settings[name] = (fromProfile, $"profile '{profileName}' in {ProfilesPath}");
            }
            else if (fallback(connection) is { } value)
            {
                connection._settings[name] = (value, fallbackSource);
            }
        }

        Set("hub", flags.Hub, "--hub", "AFX_HUB", _ => "https://localhost:7443", "the default");
        Set("partner", flags.As, "--as", "AFX_PARTNER", _ => null, "");
        var partner = connection._settings.TryGetValue("partner", out var p) ? p.Value : null;
        Set("cert", flags.Cert, "--cert", "AFX_CERT", _ => partner is null ? null : DevPath("partners", partner + ".crt"),
            $"the dev certificate for --as {partner}");
        Set("key", flags.Key, "--key", "AFX_KEY", _ => partner is null ? null : DevPath("partners", partner + ".key"),
            $"the dev key for --as {partner}");
        Set("ca", flags.Ca, "--ca", "AFX_CA", _ => DevPath("ca", "root.crt"), "the default (dev PKI)");
        if (!connection._settings.ContainsKey("cert") || !connection._settings.ContainsKey("key"))
        {
            throw new UsageException("say who you are: --as PARTNER (dev certificates), or --cert FILE --key FILE, or AFX_PARTNER / AFX_CERT / AFX_KEY, or --profile NAME.");
        }

        if (partner is null)
        {
            connection._settings["partner"] = (Path.GetFileNameWithoutExtension(connection.Cert), "the certificate's file name");
        }

        if (!Uri.TryCreate(connection.Hub, UriKind.Absolute, out var hub) || hub.Scheme != Uri.UriSchemeHttps)
        {
            throw new UsageException($"hub address '{connection.Hub}' (from {connection.Source("hub")}) must be https://host:port: the hub only speaks TLS.");
        }

        foreach (var file in new[] { "cert", "key", "ca" })
        {
            if (!File.Exists(connection._settings[file].Value))
            {
                throw new UsageException($"{file} file '{connection._settings[file].Value}' (from {connection.Source(file)}) does not exist.");
            }
        }

        return connection;
    }

    private static Dictionary<string, string> LoadProfile(string name)
    {
        if (!File.Exists(ProfilesPath))
        {
            throw new UsageException($"profile '{name}': the profile file {ProfilesPath} does not exist (set AFX_PROFILES to use another).");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllText(ProfilesPath));
        }
        catch (JsonException e)
        {
            throw new UsageException($"profile '{name}': {ProfilesPath} is not valid JSON ({e.Message}). "
                + "Expected {\"profiles\": {\"NAME\": {\"hub\": \"https://...\", \"cert\": \"FILE\", \"key\": \"FILE\", \"ca\": \"FILE\"}}}.");
        }

        using var _ = json;
        if (!json.RootElement.TryGetProperty("profiles", out var profiles) || !profiles.TryGetProperty(name, out var profile))
        {
            throw new UsageException($"profile '{name}' is not in {ProfilesPath}.");
        }

        if (profile.ValueKind != JsonValueKind.Object || profile.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw new UsageException($"profile '{name}' in {ProfilesPath} must be an object of strings (hub, partner, cert, key, ca).");
        }

        return profile.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
    }

    /// <summary>certs-dev/... from the working directory, or from the repository above the binary.</summary>
    public static string DevPath(params string[] parts)
    {
        var relative = Path.Combine(["certs-dev", .. parts]);
        if (File.Exists(relative))
        {
            return relative;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return relative;
    }

    /// <summary>A channel to <paramref name="hub"/> as a dev-PKI partner (the demo and the load tool play several partners at
    /// once).</summary>
    public static GrpcChannel DevChannel(string hub, string partner) => GrpcChannel.ForAddress(hub, PartnerChannel.Options()
        .TrustOnly(DevPath("ca", "root.crt"))
        .UsePartnerCertificate(DevPath("partners", partner + ".crt"), DevPath("partners", partner + ".key")));

    public GrpcChannel Open()
    {
        GrpcChannelOptions options;
        try
        {
            options = PartnerChannel.Options().TrustOnly(Ca).UsePartnerCertificate(Cert, Key);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new UsageException($"cannot use the certificate '{Cert}' (from {Source("cert")}) with the key '{Key}' (from {Source("key")}), "
                + $"or the CA '{Ca}' (from {Source("ca")}): {e.Message} Each must be PEM, and the key must belong to the certificate.");
        }

        return GrpcChannel.ForAddress(Hub, options);
    }
}
