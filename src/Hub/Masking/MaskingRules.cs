using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Identity;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>The rules in force, in order, and what happens to a sensitive field no rule covers.</summary>
public sealed record MaskingRules(IReadOnlyList<MaskingRule> Rules, MaskingRule Default, int Version)
{
    public MaskingRule Decide(in MaskingContext context, DataClass dataClass, string[] path)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(context, dataClass, path))
            {
                return rule;
            }
        }

        return Default;
    }

    private static int _versions;

    /// <summary>
    /// Reads config/masking.json: {"default": "drop", "rules": [ {"name", "recipient", "submitter",
    /// "bases", "requestKinds", "classes", "path", "transform", "keepLast", "maskChar", "maskLength"} ]}.
    /// Names are the proto enum value names without their prefix (NATIONAL_ID, CRIMINAL_INVESTIGATION).
    /// </summary>
    public static MaskingRules Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true });
        var root = doc.RootElement;
        var rules = new List<MaskingRule>();
        var index = 0;
        foreach (var item in root.GetProperty("rules").EnumerateArray())
        {
            rules.Add(ParseRule(item, $"rules[{index++}]"));
        }

        var defaultTransform = root.TryGetProperty("default", out var d) ? ParseTransform(d.GetString(), "default") : MaskTransform.Drop;
        var fallback = new MaskingRule("default", null, null, null, null, null, null, defaultTransform, 0, '*', null);
        return new MaskingRules(rules, fallback, Interlocked.Increment(ref _versions));
    }

    private static MaskingRule ParseRule(JsonElement item, string where)
    {
        string? Text(string name) => item.TryGetProperty(name, out var v) ? v.GetString() : null;
        HashSet<T>? Set<T>(string name, Func<string, T> parse) =>
            item.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(e => parse(e.GetString()!)).ToHashSet() : null;

        var name = Text("name") ?? where;
        PartnerKind? recipient = null;
        if (Text("recipient") is { } r)
        {
            recipient = PartnerIdentity.TryParseKind(r,
                out var kind) ? kind : throw new FormatException($"{where}.recipient: '{r}' is not police, bank, carrier or auditor");
        }

        return new MaskingRule(
            name,
            recipient,
            item.TryGetProperty("submitter", out var s) ? s.GetBoolean() : null,
            Set("bases", v => Enum<LegalBasis>("LEGAL_BASIS_", v, $"{where}.bases")),
            Set("requestKinds", v => RequestKind(v, $"{where}.requestKinds")),
            Set("classes", v => Enum<DataClass>("DATA_CLASS_", v, $"{where}.classes")),
            Text("path")?.Split('.'),
            ParseTransform(Text("transform"), $"{where}.transform"),
            item.TryGetProperty("keepLast", out var k) ? k.GetInt32() : 4,
            Text("maskChar") is { Length: 1 } c ? c[0] : '*',
            item.TryGetProperty("maskLength", out var l) ? l.GetInt32() : null);
    }

    private static MaskTransform ParseTransform(string? text, string where) => text switch
    {
        "keep" => MaskTransform.Keep,
        "redact" => MaskTransform.Redact,
        "partial" => MaskTransform.Partial,
        "pseudonym" => MaskTransform.Pseudonym,
        "drop" => MaskTransform.Drop,
        _ => throw new FormatException($"{where}: '{text}' is not keep, redact, partial, pseudonym or drop"),
    };

    private static Request.KindOneofCase RequestKind(string text, string where) =>
        RequestKinds.TryParse(text, out var kind) ? kind : throw new FormatException($"{where}: unknown request kind '{text}'");

    private static T Enum<T>(string prefix, string text, string where)
        where T : struct, System.Enum
    {
        var pascal = string.Concat(text.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0])
            + p[1..].ToLowerInvariant()));
        return System.Enum.TryParse<T>(pascal, out var value) && Convert.ToInt32(value,
            System.Globalization.CultureInfo.InvariantCulture) != 0
            ? value
            : throw new FormatException($"{where}: '{text}' is not a {prefix}* value");
    }
}
