using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;

namespace AntiFraud.Exchange.Hub.Deadlines;

/// <summary>The legal deadlines in force: per request kind and priority, plus the warning point and the stop-payment hold.</summary>
public sealed record DeadlineRules(
    IReadOnlyDictionary<(Request.KindOneofCase Kind, Priority Priority), TimeSpan> Deadlines,
    double WarnAtFraction,
    TimeSpan HoldPeriod,
    TimeSpan HoldWarning,
    int MaxHoldRenewals)
{
    /// <summary>Bounds on the times partners send.</summary>
    public TimeLimits Limits { get; init; } = TimeLimits.Defaults;

    private static readonly Priority[] Tiers = [Priority.Critical, Priority.High, Priority.Medium, Priority.Low];

    public TimeSpan DeadlineFor(Request.KindOneofCase kind, Priority priority) => Deadlines[(kind, priority)];

    /// <summary>Defaults from the domain notes: stop-payment in minutes, freeze within 2 hours, queries and traces in hours, holds of 48 h
    /// renewable twice.</summary>
    public static DeadlineRules Defaults { get; } = Build(new Dictionary<Request.KindOneofCase, TimeSpan[]>
    {
        [Request.KindOneofCase.StopPayment] = [TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
            TimeSpan.FromHours(1)],
        [Request.KindOneofCase.Freeze] = [TimeSpan.FromHours(2), TimeSpan.FromHours(2), TimeSpan.FromHours(2), TimeSpan.FromHours(2)],
        [Request.KindOneofCase.FreezeRelease] = [TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(24),
            TimeSpan.FromHours(24)],
        [Request.KindOneofCase.FundReturn] = [TimeSpan.FromHours(4), TimeSpan.FromHours(24), TimeSpan.FromHours(72), TimeSpan.FromHours(72)],
        [Request.KindOneofCase.AccountQuery] = [TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(12),
            TimeSpan.FromHours(24)],
        [Request.KindOneofCase.CallTrace] = [TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(12), TimeSpan.FromHours(24)],
        [Request.KindOneofCase.NumberSuspension] = [TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(12),
            TimeSpan.FromHours(24)],
        // Contact deadlines of early warnings: reach the person before the money moves.
        [Request.KindOneofCase.WarnVictim] = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
            TimeSpan.FromHours(4)],
        // Bulk suspension and restriction orders (card cutting): every item answered by then.
        [Request.KindOneofCase.BulkOrder] = [TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromHours(24), TimeSpan.FromHours(72)],
    }, 0.75, TimeSpan.FromHours(48), TimeSpan.FromHours(4), 2);

    private static DeadlineRules Build(Dictionary<Request.KindOneofCase, TimeSpan[]> table, double warn, TimeSpan hold,
        TimeSpan holdWarning, int renewals)
    {
        var map = new Dictionary<(Request.KindOneofCase, Priority), TimeSpan>();
        foreach (var (kind, spans) in table)
        {
            for (var i = 0; i < Tiers.Length; i++)
            {
                map[(kind, Tiers[i])] = spans[i];
            }
        }

        return new DeadlineRules(map, warn, hold, holdWarning, renewals);
    }

    /// <summary>
    /// Reads config/deadlines.json: any entry it names overrides the default. Durations are
    /// "hh:mm:ss" or "d.hh:mm:ss"; kinds are the request field names; priorities CRITICAL..LOW.
    /// </summary>
    public static DeadlineRules Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true });
        var root = doc.RootElement;
        var map = new Dictionary<(Request.KindOneofCase, Priority), TimeSpan>(Defaults.Deadlines);
        if (root.TryGetProperty("deadlines", out var deadlines))
        {
            foreach (var kindProperty in deadlines.EnumerateObject())
            {
                var kind = RequestKinds.TryParse(kindProperty.Name, out var named)
                    ? named
                    : throw new FormatException($"deadlines.{kindProperty.Name}: unknown request kind");
                foreach (var tier in kindProperty.Value.EnumerateObject())
                {
                    var priority = tier.Name switch
                    {
                        "CRITICAL" => Priority.Critical,
                        "HIGH" => Priority.High,
                        "MEDIUM" => Priority.Medium,
                        "LOW" => Priority.Low,
                        _ => throw new FormatException($"deadlines.{kindProperty.Name}.{tier.Name}: priority must be CRITICAL, HIGH, MEDIUM or LOW"),
                    };
                    map[(kind, priority)] = Span(tier.Value, $"deadlines.{kindProperty.Name}.{tier.Name}");
                }
            }
        }

        var warn = root.TryGetProperty("warnAtFraction", out var w) ? w.GetDouble() : Defaults.WarnAtFraction;
        if (warn is <= 0 or >= 1)
        {
            throw new FormatException("warnAtFraction must be between 0 and 1");
        }

        var limits = TimeLimits.Defaults;
        if (root.TryGetProperty("limits", out var l))
        {
            TimeSpan Limit(string name, TimeSpan fallback) => l.TryGetProperty(name, out var v) ? Span(v, "limits." + name) : fallback;
            limits = new TimeLimits(
                Limit("maxHoldPeriod", limits.MaxHoldPeriod),
                Limit("maxFreezePeriod", limits.MaxFreezePeriod),
                Limit("maxTraceWindow", limits.MaxTraceWindow),
                Limit("maxSuspensionPeriod", limits.MaxSuspensionPeriod),
                Limit("clockSkew", limits.ClockSkew));
        }

        var holdPeriod = root.TryGetProperty("holdPeriod", out var h) ? Span(h, "holdPeriod") : Defaults.HoldPeriod;
        if (holdPeriod > limits.MaxHoldPeriod)
        {
            throw new FormatException($"holdPeriod {holdPeriod} is longer than limits.maxHoldPeriod {limits.MaxHoldPeriod}");
        }

        if (limits.MaxFreezePeriod > MaxTimerSpan || limits.MaxSuspensionPeriod > MaxTimerSpan || limits.MaxHoldPeriod > MaxTimerSpan)
        {
            throw new FormatException($"limits: no period may exceed {MaxTimerSpan.TotalDays:0} days");
        }

        return new DeadlineRules(map, warn,
            holdPeriod,
            root.TryGetProperty("holdWarning", out var hw) ? Span(hw, "holdWarning") : Defaults.HoldWarning,
            root.TryGetProperty("maxHoldRenewals", out var r) ? r.GetInt32() : Defaults.MaxHoldRenewals)
        {
            Limits = limits,
        };
    }

    /// <summary>Ten years: no policy may allow a partner a longer period.</summary>
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromDays(3653);

    private static TimeSpan Span(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.String || !TimeSpan.TryParse(value.GetString(),
            System.Globalization.CultureInfo.InvariantCulture, out var span) || span <= TimeSpan.Zero)
        {
            throw new FormatException($"{path}: expected a positive duration such as \"02:00:00\"");
        }

        return span;
    }
}
