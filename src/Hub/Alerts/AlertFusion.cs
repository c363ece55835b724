using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// Joins a signal into an alert: a new alert for the first signal about a person, otherwise the signal is
/// appended, what the alert did not know about the person is filled in, and the tier is re-graded. The
/// tier only ever rises (Priority: CRITICAL is 1). Pure: the store runs it inside its transaction.
/// </summary>
internal static class AlertFusion
{
    /// <summary>The most signals kept on one alert; later ones still count and still raise the tier.</summary>
    public const int MaxSignals = 64;

    public static (AlertView Alert, string SignalId) Fuse(AlertView? open, PartnerIdentity raiser, RaiseAlertRequest request,
        DateTimeOffset now, AlertRules rules)
    {
        var at = Timestamp.FromDateTimeOffset(now);
        var signal = request.Signal.Clone();
        signal.SignalId = "sg-" + Guid.CreateVersion7(now).ToString("N");
        signal.Raiser = raiser.ToRef();
        signal.RaisedAt = at;
        signal.Victim = request.Victim.Clone();
        if (signal.SuggestedTier == Priority.Unspecified)
        {
            signal.SuggestedTier = Priority.Medium;
        }

        if (raiser.Kind == PartnerKind.Bank && signal.Victim.Account is { AccountNumber.Length: > 0, BankId.Length: 0 } account)
        {
            account.BankId = raiser.Id;
        }

        AlertView alert;
        if (open is null)
        {
            alert = new AlertView
            {
                AlertId = "al-" + Guid.CreateVersion7(now).ToString("N"),
                State = AlertState.Open,
                Victim = signal.Victim.Clone(),
                FirstRaisedAt = at,
                Tier = Priority.Low,
                HoldAdvice = HoldAdvice.KeepHolding,
            };
        }
        else
        {
            alert = open.Clone();
            alert.Revision++;
            Merge(alert.Victim, signal.Victim);
        }

        alert.SignalCount++;
        if (alert.Signals.Count < MaxSignals)
        {
            alert.Signals.Add(signal);
        }

        alert.UpdatedAt = at;
        var (tier, reason) = Grade(alert, signal, rules);
        if (open is null || tier < alert.Tier)
        {
            alert.Tier = tier;
            alert.TierReason = reason;
        }

        return (alert, signal.SignalId);
    }

    /// <summary>The tier the alert deserves now: the most urgent of its tier so far, the new signal's suggestion and every policy rule
    /// its signals satisfy.</summary>
    private static (Priority Tier, string Reason) Grade(AlertView alert, AlertSignal signal, AlertRules rules)
    {
        var tier = signal.SuggestedTier;
        var reason = $"suggested by {signal.Raiser.Id}";
        foreach (var rule in rules.Rules)
        {
            if (rule.Tier < tier && Satisfies(alert, rule))
            {
                tier = rule.Tier;
                reason = "policy rule " + rule.Name;
            }
        }

        return (tier, reason);
    }

    /// <summary>Each token is met by a signal, and the latest signals meeting them lie within the rule's span.</summary>
    private static bool Satisfies(AlertView alert, TierRule rule)
    {
        var times = new List<DateTimeOffset>(rule.Signals.Count);
        foreach (var token in rule.Signals)
        {
            var latest = alert.Signals.Where(s => AlertRules.Matches(s, token)).Select(s => s.RaisedAt.ToDateTimeOffset())
                .DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            if (latest == DateTimeOffset.MinValue)
            {
                return false;
            }

            times.Add(latest);
        }

        return times.Max() - times.Min() <= rule.Within;
    }

    /// <summary>Fills what the alert does not know yet; never overwrites what an earlier signal said.</summary>
    private static void Merge(PotentialVictim into, PotentialVictim from)
    {
        if (from.Person is { } p)
        {
            into.Person ??= new Person();
            if (into.Person.Name.Length == 0)
            {
                into.Person.Name = p.Name;
            }

            if (into.Person.NationalId.Length == 0)
            {
                into.Person.NationalId = p.NationalId;
            }

            if (into.Person.Phone is null or { E164.Length: 0 } && p.Phone is { E164.Length: > 0 })
            {
                into.Person.Phone = p.Phone.Clone();
            }

            if (into.Person.Address.Length == 0)
            {
                into.Person.Address = p.Address;
            }
        }

        if (into.DivisionCode.Length == 0)
        {
            into.DivisionCode = from.DivisionCode;
        }

        if (into.Account is null or { AccountNumber.Length: 0 } && from.Account is { AccountNumber.Length: > 0 })
        {
            into.Account = from.Account.Clone();
        }
    }

    /// <summary>What a bank that paused a transfer should do after an outcome.</summary>
    public static HoldAdvice Advice(AlertOutcomeKind kind) => kind switch
    {
        AlertOutcomeKind.Dissuaded => HoldAdvice.ReleaseToCustomer,
        AlertOutcomeKind.FalsePositive => HoldAdvice.Proceed,
        _ => HoldAdvice.KeepHolding,
    };
}
