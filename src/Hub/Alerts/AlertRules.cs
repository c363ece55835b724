using System.Globalization;
using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>A policy rule: when the alert holds all these signal kinds within a span, its tier rises to at least this.</summary>
/// <param name="Signals">Tokens: bank_transfer, bank_transfer:paused, suspicious_calls, suspicious_calls:international,
/// suspicious_calls:spoofed, card_opening, analysis.</param>
public sealed record TierRule(string Name, IReadOnlyList<string> Signals, TimeSpan Within, Priority Tier);

/// <summary>The early-warning policy in force (config/alerts.json): fusion window, locate unit, tier rules.</summary>
public sealed record AlertRules(TimeSpan FusionWindow, string? LocateUnit, IReadOnlyList<TierRule> Rules)
{
    public static readonly IReadOnlyList<string> Tokens =
    [
        "bank_transfer", "bank_transfer:paused", "suspicious_calls", "suspicious_calls:international", "suspicious_calls:spoofed",
        "card_opening", "analysis",
    ];

    /// <summary>Without a file: a 30-minute window and the rule from the domain notes (a fraud call plus a paused transfer by the same
    /// person within 30 minutes is critical).</summary>
    public static AlertRules Defaults { get; } = new(TimeSpan.FromMinutes(30), null,
        [new TierRule("fraud-call-then-paused-transfer", ["suspicious_calls", "bank_transfer:paused"], TimeSpan.FromMinutes(30),
            Priority.Critical)]);

    /// <summary>Whether a signal counts for a token.</summary>
    public static bool Matches(AlertSignal signal, string token) => token switch
    {
        "bank_transfer" => signal.KindCase == AlertSignal.KindOneofCase.BankTransfer,
        "bank_transfer:paused" => signal.KindCase == AlertSignal.KindOneofCase.BankTransfer && signal.BankTransfer.Paused,
        "suspicious_calls" => signal.KindCase == AlertSignal.KindOneofCase.SuspiciousCalls,
        "suspicious_calls:international" => signal.KindCase == AlertSignal.KindOneofCase.SuspiciousCalls
            && signal.SuspiciousCalls.International,
        "suspicious_calls:spoofed" => signal.KindCase == AlertSignal.KindOneofCase.SuspiciousCalls
            && signal.SuspiciousCalls.SpoofingSuspected,
        "card_opening" => signal.KindCase == AlertSignal.KindOneofCase.CardOpening,
        "analysis" => signal.KindCase == AlertSignal.KindOneofCase.Analysis,
        _ => false,
    };

    public static AlertRules Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true });
        var root = doc.RootElement;
        var window = root.TryGetProperty("fusionWindow", out var w) ? Span(w, "fusionWindow") : Defaults.FusionWindow;
        if (window > TimeSpan.FromDays(7))
        {
            throw new FormatException("fusionWindow: at most 7 days");
        }

        string? locate = null;
        if (root.TryGetProperty("locateUnit", out var l))
        {
            locate = l.ValueKind == JsonValueKind.String ? l.GetString() : throw new FormatException("locateUnit must be a partner id");
        }

        var rules = new List<TierRule>();
        if (root.TryGetProperty("rules", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("rules must be an array");
            }

            var index = 0;
            foreach (var rule in list.EnumerateArray())
            {
                var where = $"rules[{index++}]";
                var name = rule.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : where;
                if (!rule.TryGetProperty("signals", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() == 0)
                {
                    throw new FormatException($"{where}.signals must be a non-empty array of {string.Join(", ", Tokens)}");
                }

                var tokens = s.EnumerateArray().Select(t => t.GetString() ?? string.Empty).ToList();
                if (tokens.FirstOrDefault(t => !Tokens.Contains(t)) is { } unknown)
                {
                    throw new FormatException($"{where}.signals: '{unknown}' is not one of {string.Join(", ", Tokens)}");
                }

                var within = rule.TryGetProperty("within", out var span) ? Span(span, where + ".within") : window;
                if (!rule.TryGetProperty("tier", out var t) || !TryTier(t.GetString(), out var tier))
                {
                    throw new FormatException($"{where}.tier must be CRITICAL, HIGH, MEDIUM or LOW");
                }

                rules.Add(new TierRule(name, tokens, within, tier));
            }
        }

        return new AlertRules(window, locate, rules);
    }

    public static bool TryTier(string? text, out Priority tier)
    {
        tier = text switch
        {
            "CRITICAL" => Priority.Critical,
            "HIGH" => Priority.High,
            "MEDIUM" => Priority.Medium,
            "LOW" => Priority.Low,
            _ => Priority.Unspecified,
        };
        return tier != Priority.Unspecified;
    }

    private static TimeSpan Span(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span)
            && span > TimeSpan.Zero
            ? span
            : throw new FormatException($"{path}: expected a positive duration such as \"00:30:00\"");
}
