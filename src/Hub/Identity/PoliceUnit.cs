using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The levels of the police hierarchy that early-warning alerts flow down.</summary>
public enum PoliceLevel
{
    /// <summary>A city anti-fraud centre: the warning platform; locates victims without an address.</summary>
    City = 1,

    /// <summary>A district (county) anti-fraud centre.</summary>
    District = 2,

    /// <summary>A police station: the nearest officers.</summary>
    Station = 3,
}

/// <summary>
/// A police unit's place in the hierarchy: its level, its parent unit and the GB/T 2260 division codes it
/// covers (six digits for a city or district, nine for a township a station covers). Codes are kept
/// comma-joined so two entries compare by value. City centres publish shared risk-list entries; another unit does when the
/// registry says <c>"publishesLists": true</c>.
/// </summary>
public sealed record PoliceUnit(PoliceLevel Level, string? Parent, string DivisionCodes, bool PublishesLists = false)
{
    /// <summary>Whether the unit may publish and revoke risk-list entries.</summary>
    public bool MayPublishLists => Level == PoliceLevel.City || PublishesLists;

    public IReadOnlyList<string> Divisions => DivisionCodes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static string LevelName(PoliceLevel level) => level.ToString().ToLowerInvariant();

    public string Describe() => $"{LevelName(Level)}{(Parent is null ? string.Empty : " under " + Parent)}, covers {DivisionCodes}";

    /// <summary>A GB/T 2260 code (6 digits) or its township (9) or community (12) extension.</summary>
    public static bool IsDivisionCode(string code) =>
        code.Length is 6 or 9 or 12 && code.All(char.IsAsciiDigit);

    /// <summary>The prefix a code covers: a city code 440300 covers every 4403xx; a district or township code covers itself and
    /// its extensions.</summary>
    public static string CoveredPrefix(string code) =>
        code.Length == 6 && code.EndsWith("0000", StringComparison.Ordinal) ? code[..2]
        : code.Length == 6 && code.EndsWith("00", StringComparison.Ordinal) ? code[..4]
        : code;

    internal static PoliceUnit? Parse(JsonElement item, PartnerKind kind, string where)
    {
        var hasLevel = item.TryGetProperty("level", out var levelValue);
        if (!hasLevel)
        {
            if (item.TryGetProperty("parent", out _) || item.TryGetProperty("divisions", out _))
            {
                throw new FormatException($"{where}: parent and divisions need a police level (\"level\": city, district or station)");
            }

            return null;
        }

        if (kind != PartnerKind.Police)
        {
            throw new FormatException($"{where}.level: only police partners have a level in the hierarchy");
        }

        if (levelValue.ValueKind != JsonValueKind.String || !Enum.TryParse<PoliceLevel>(levelValue.GetString(), true, out var level)
            || !Enum.IsDefined(level))
        {
            throw new FormatException($"{where}.level must be city, district or station");
        }

        string? parent = null;
        if (item.TryGetProperty("parent", out var p))
        {
            parent = p.ValueKind == JsonValueKind.String ? p.GetString() : throw new FormatException($"{where}.parent must be a partner id");
        }

        if (level != PoliceLevel.City && parent is null)
        {
            throw new FormatException($"{where}.parent is required for a {LevelName(level)}");
        }

        var codes = new List<string>();
        if (item.TryGetProperty("divisions", out var d))
        {
            if (d.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{where}.divisions must be an array of GB/T 2260 codes");
            }

            foreach (var code in d.EnumerateArray())
            {
                var text = code.ValueKind == JsonValueKind.String ? code.GetString()! : string.Empty;
                if (!IsDivisionCode(text))
                {
                    throw new FormatException($"{where}.divisions: '{text}' is not a division code (6, 9 or 12 digits)");
                }

                codes.Add(text);
            }
        }

        var publishes = item.TryGetProperty("publishesLists", out var pl) && pl.ValueKind == JsonValueKind.True;
        return new PoliceUnit(level, parent, string.Join(',', codes), publishes);
    }

    /// <summary>Every parent exists, is a police unit and sits one level or more above its child; no cycles.</summary>
    internal static void ValidateHierarchy(IReadOnlyDictionary<string, PartnerEntry> entries)
    {
        foreach (var (id, entry) in entries)
        {
            if (entry.Unit?.Parent is not { } parent)
            {
                continue;
            }

            if (!entries.TryGetValue(parent, out var up) || up.Unit is null)
            {
                throw new FormatException($"partner '{id}': parent '{parent}' is not a police unit with a level in this registry");
            }

            if (up.Unit.Level >= entry.Unit.Level)
            {
                throw new FormatException(
                    $"partner '{id}': a {LevelName(entry.Unit.Level)} cannot sit under the {LevelName(up.Unit.Level)} '{parent}'");
            }
        }
    }
}
