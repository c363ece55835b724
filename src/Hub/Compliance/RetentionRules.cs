using System.Text.Json;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Compliance;

/// <summary>Section "Hub:Retention".</summary>
public sealed class HubRetentionOptions
{
    /// <summary>The retention policy file; when empty, nothing is ever purged.</summary>
    public string? PolicyPath { get; set; } = "config/retention.json";
}

/// <summary>The retention policy file, re-read when the operator edits it; none configured: everything is kept.</summary>
internal sealed class RetentionPolicy(ReloadingFile<RetentionRules>? file)
{
    public RetentionRules Current => file?.Current ?? RetentionRules.KeepEverything;

    public bool Refresh() => file?.Refresh() ?? false;
}

/// <summary>
/// How long the hub keeps the personal data of what has ended (config/retention.json, re-read when edited):
/// <code>
/// { "exchanges": { "keepDaysAfterEnding": 180 }, "alerts": { "keepDaysAfterRaising": 180 },
///   "listEntries": { "keepDaysAfterRemoval": 180 }, "purgeEveryMinutes": 60, "batchSize": 100 }
/// </code>
/// A kind left out is kept for ever. Cases under a legal hold are kept whatever the policy says.
/// </summary>
internal sealed record RetentionRules(TimeSpan? Exchanges, TimeSpan? Alerts, TimeSpan? ListEntries, TimeSpan PurgeEvery, int BatchSize)
{
    public const int MaxDays = 36_500;

    public static readonly RetentionRules KeepEverything = new(null, null, null, TimeSpan.FromHours(1), 100);

    public static RetentionRules Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the retention policy must be a JSON object");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("exchanges" or "alerts" or "listEntries" or "purgeEveryMinutes" or "batchSize" or "comment"))
            {
                throw new FormatException($"unknown setting '{property.Name}' (known: exchanges, alerts, listEntries, purgeEveryMinutes, batchSize)");
            }
        }

        return new RetentionRules(
            Days(root, "exchanges", "keepDaysAfterEnding"),
            Days(root, "alerts", "keepDaysAfterRaising"),
            Days(root, "listEntries", "keepDaysAfterRemoval"),
            TimeSpan.FromMinutes(Number(root, "purgeEveryMinutes", 60, 1, 24 * 60)),
            Number(root, "batchSize", 100, 1, 10_000));
    }

    private static TimeSpan? Days(JsonElement root, string kind, string setting)
    {
        if (!root.TryGetProperty(kind, out var section))
        {
            return null;
        }

        if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty(setting, out _))
        {
            throw new FormatException($"{kind}: must be an object with {setting}");
        }

        return TimeSpan.FromDays(Number(section, setting, 0, 1, MaxDays, kind + "."));
    }

    private static int Number(JsonElement parent, string name, int fallback, int min, int max, string path = "")
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return fallback;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max ? n
            : throw new FormatException($"{path}{name}: must be a whole number from {min} to {max}, not {value.GetRawText()}");
    }
}
