using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Shared;
using Google.Protobuf.WellKnownTypes;
using static AntiFraud.Exchange.Hub.Exchanges.RequestValidator;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// What a raiser may send: its own kind of signal, about a person the hub can recognise again, with
/// every count, duration and time bounded. A bad field is INVALID_ARGUMENT naming it; a signal kind the
/// caller may not raise is PERMISSION_DENIED.
/// </summary>
internal static class AlertValidator
{
    public const uint MaxCount = 100_000;

    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    /// <summary>How far back a reported time may lie: a warning about last month is not an early warning.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    /// <param name="fromHub">The hub raises this itself (a list hit): the signal kind is the hub's own.</param>
    public static void Validate(PartnerIdentity caller, RaiseAlertRequest request, bool callerIsCity, TimeLimits limits, DateTimeOffset now,
        bool fromHub = false)
    {
        Require(request.IdempotencyKey.Length is > 0 and <= 128, "idempotency_key",
            "is required (1-128 characters), so a retried Raise never creates a second signal");
        Require(request.Signal is not null && request.Signal.KindCase != AlertSignal.KindOneofCase.None, "signal",
            "must carry one of bank_transfer, suspicious_calls, card_opening, analysis");
        var signal = request.Signal!;
        var allowed = fromHub ? signal.KindCase == AlertSignal.KindOneofCase.ListHit : caller.Kind switch
        {
            PartnerKind.Bank => signal.KindCase == AlertSignal.KindOneofCase.BankTransfer,
            PartnerKind.Carrier => signal.KindCase is AlertSignal.KindOneofCase.SuspiciousCalls or AlertSignal.KindOneofCase.CardOpening,
            PartnerKind.Police => callerIsCity && signal.KindCase == AlertSignal.KindOneofCase.Analysis,
            _ => false,
        };
        if (!allowed)
        {
            throw Refusal.PermissionDenied($"signal.{Snake(signal.KindCase)}: a {PartnerIdentity.KindName(caller.Kind)} "
                + (caller.Kind == PartnerKind.Police && !callerIsCity ? "other than a city centre " : string.Empty)
                + "cannot raise this signal (banks raise bank_transfer, carriers suspicious_calls or card_opening, city centres analysis).");
        }

        Require(signal.SuggestedTier is >= Priority.Unspecified and <= Priority.Low, "signal.suggested_tier", "must be CRITICAL, HIGH, MEDIUM or LOW");
        Require(request.Victim is not null, "victim", "is required");
        var victim = request.Victim!;
        ValidatePerson(victim.Person, "victim.person");
        Require(victim.DivisionCode.Length == 0 || PoliceUnit.IsDivisionCode(victim.DivisionCode), "victim.division_code",
            $"must be a GB/T 2260 code of 6, 9 or 12 digits (got {Shown(victim.DivisionCode)})");
        if (victim.Account is { } account && account.AccountNumber.Length > 0)
        {
            Require(caller.Kind != PartnerKind.Bank || account.BankId.Length == 0 || account.BankId == caller.Id, "victim.account.bank_id",
                $"must be the raising bank '{caller.Id}' (or empty): a bank describes its own customer's account");
        }

        Require(FusionKeys.NormalisedPhone(victim.Person?.Phone?.E164) is not null || FusionKeys.NormalisedId(victim.Person?.NationalId) is not null
            || victim.Account is { AccountNumber.Length: > 0 }, "victim",
            "needs at least one of person.phone, person.national_id or account.account_number, so signals about the person can be joined");

        switch (signal.KindCase)
        {
            case AlertSignal.KindOneofCase.BankTransfer:
                var t = signal.BankTransfer;
                ValidateAmount(t.Amount, "signal.bank_transfer.amount");
                Require(t.Payee is { AccountNumber.Length: > 0 }, "signal.bank_transfer.payee.account_number", "is required: where the money would go");
                Recent(t.InitiatedAt, "signal.bank_transfer.initiated_at", limits, now);
                break;
            case AlertSignal.KindOneofCase.SuspiciousCalls:
                var c = signal.SuspiciousCalls;
                Require(c.Count is >= 1 and <= MaxCount, "signal.suspicious_calls.count", $"must be 1 to {MaxCount} (got {c.Count})");
                Require(c.SuspectNumber is { E164.Length: > 0 } || c.Gateway.Length > 0, "signal.suspicious_calls",
                    "needs suspect_number or gateway: where the calls came from");
                Span(c.TotalDuration, "signal.suspicious_calls.total_duration");
                Span(c.LongestDuration, "signal.suspicious_calls.longest_duration");
                Recent(c.FirstAt, "signal.suspicious_calls.first_at", limits, now);
                Recent(c.LastAt, "signal.suspicious_calls.last_at", limits, now);
                break;
            case AlertSignal.KindOneofCase.CardOpening:
                Require(signal.CardOpening.CardsOpened is >= 1 and <= MaxCount, "signal.card_opening.cards_opened",
                    $"must be 1 to {MaxCount} (got {signal.CardOpening.CardsOpened})");
                Span(signal.CardOpening.Period, "signal.card_opening.period");
                break;
            case AlertSignal.KindOneofCase.Analysis:
                Require(signal.Analysis.Model.Length > 0 || signal.Analysis.Summary.Length > 0, "signal.analysis", "needs a model or a summary");
                break;
        }
    }

    public static void ValidateOutcome(ReportOutcomeRequest request, TimeLimits limits, DateTimeOffset now)
    {
        Require(request.AlertId.Length > 0, "alert_id", "is required");
        Require(request.Outcome is not null && request.Outcome.Kind != AlertOutcomeKind.Unspecified && System.Enum.IsDefined(request.Outcome.Kind),
            "outcome.kind", "is required: CONTACTED_BY_PHONE, VISITED, DISSUADED, ALREADY_TRANSFERRED, UNREACHABLE, FALSE_POSITIVE or DUPLICATE");
        Recent(request.Outcome!.At, "outcome.at", limits, now);
        Require(!request.OpenStopPayment || request.Outcome.Kind == AlertOutcomeKind.AlreadyTransferred, "open_stop_payment",
            "applies only to ALREADY_TRANSFERRED");
    }

    public static bool IsFinal(AlertOutcomeKind kind) => kind is not (AlertOutcomeKind.ContactedByPhone or AlertOutcomeKind.Visited);

    private static void Recent(Timestamp? at, string path, TimeLimits limits, DateTimeOffset now)
    {
        ValidatePast(at, path, limits, now);
        Require(at is null || at.ToDateTimeOffset() >= now - MaxAge, path, $"lies more than {MaxAge.TotalDays:0} days in the past");
    }

    private static void Span(Duration? span, string path) =>
        Require(span is null || (span.ToTimeSpan() >= TimeSpan.Zero && span.ToTimeSpan() <= MaxDuration), path,
            $"must be between 0 and {MaxDuration.TotalDays:0} days");

    public static string Snake(AlertSignal.KindOneofCase kind) => kind switch
    {
        AlertSignal.KindOneofCase.BankTransfer => "bank_transfer",
        AlertSignal.KindOneofCase.SuspiciousCalls => "suspicious_calls",
        AlertSignal.KindOneofCase.CardOpening => "card_opening",
        AlertSignal.KindOneofCase.Analysis => "analysis",
        AlertSignal.KindOneofCase.ListHit => "list_hit",
        _ => "none",
    };
}
