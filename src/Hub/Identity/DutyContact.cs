using System.Globalization;
using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// One line of a partner's duty roster (registry "duty"): who answers for which kinds of request at which hours. Kinds are the
/// request kinds' snake-case names (freeze, stop_payment ...; none: every kind); hours are "HH:mm-HH:mm" in China Standard Time
/// (none: around the clock; a range past midnight such as 20:00-08:00 wraps).
/// </summary>
public sealed record DutyContact(IReadOnlySet<Request.KindOneofCase> Kinds, TimeOnly? From, TimeOnly? To, string Contact)
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public bool Covers(Request.KindOneofCase kind, DateTimeOffset at)
    {
        if (Kinds.Count > 0 && !Kinds.Contains(kind))
        {
            return false;
        }

        if (From is not { } from || To is not { } to)
        {
            return true;
        }

        var now = TimeOnly.FromDateTime(at.ToOffset(ChinaStandardTime).DateTime);
        return from <= to ? now >= from && now < to : now >= from || now < to;
    }

    /// <summary>The line in force for a kind of request at a time: the first that covers it, or null.</summary>
    public static DutyContact? InForce(IReadOnlyList<DutyContact> roster, Request.KindOneofCase kind, DateTimeOffset at) =>
        roster.FirstOrDefault(d => d.Covers(kind, at));

    internal static IReadOnlyList<DutyContact> Parse(JsonElement item, string where)
    {
        if (!item.TryGetProperty("duty", out var duty))
        {
            return [];
        }

        if (duty.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{where}.duty must be an array of {{ \"requestKinds\", \"hours\", \"contact\" }}");
        }

        var lines = new List<DutyContact>();
        var i = 0;
        foreach (var line in duty.EnumerateArray())
        {
            var at = $"{where}.duty[{i++}]";
            var contact = line.TryGetProperty("contact", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()!.Trim() : "";
            if (contact.Length is 0 or > 200)
            {
                throw new FormatException($"{at}.contact is required: the desk and how to reach it (at most 200 characters)");
            }

            var kinds = new HashSet<Request.KindOneofCase>();
            if (line.TryGetProperty("requestKinds", out var k))
            {
                foreach (var name in k.EnumerateArray().Select(v => v.GetString() ?? ""))
                {
                    kinds.Add(RequestKinds.TryParse(name, out var kind)
                        ? kind
                        : throw new FormatException($"{at}.requestKinds: unknown request kind '{name}' (freeze, stop_payment, fund_return ...)"));
                }
            }

            TimeOnly? from = null, to = null;
            if (line.TryGetProperty("hours", out var h))
            {
                var parts = (h.GetString() ?? "").Split('-');
                if (parts.Length != 2 || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f)
                    || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) || f == t)
                {
                    throw new FormatException($"{at}.hours '{h}' is not HH:mm-HH:mm (China Standard Time), such as 08:00-20:00");
                }

                (from, to) = (f, t);
            }

            lines.Add(new DutyContact(kinds, from, to, contact));
        }

        return lines;
    }
}
