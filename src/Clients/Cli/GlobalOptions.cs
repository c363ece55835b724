using System.CommandLine;

namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>The options every command takes: connection, identity and output.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Hub = new("--hub") { Description = "hub address [AFX_HUB], default https://localhost:7443", Recursive = true };
    public static readonly Option<string?> As = new("--as") { Description = "act as this partner with its dev certificate from certs-dev/partners [AFX_PARTNER]", Recursive = true };
    public static readonly Option<string?> Cert = new("--cert") { Description = "partner certificate, PEM [AFX_CERT]", Recursive = true };
    public static readonly Option<string?> Key = new("--key") { Description = "partner private key, PEM [AFX_KEY]", Recursive = true };
    public static readonly Option<string?> Ca = new("--ca") { Description = "the hub's root CA, PEM [AFX_CA], default certs-dev/ca/root.crt", Recursive = true };
    public static readonly Option<string?> Profile = new("--profile") { Description = "settings from a named profile in ~/.config/afx/profiles.json [AFX_PROFILE]", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "machine-readable JSON output", Recursive = true };

    public static IEnumerable<Option> All => [Hub, As, Cert, Key, Ca, Profile, Json];

    internal sealed record Values(string? Hub, string? As, string? Cert, string? Key, string? Ca, string? Profile);

    public static Values From(ParseResult result) => new(
        result.GetValue(Hub), result.GetValue(As), result.GetValue(Cert), result.GetValue(Key), result.GetValue(Ca), result.GetValue(Profile));
}
