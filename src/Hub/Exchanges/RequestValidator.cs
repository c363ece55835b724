using System.Text.RegularExpressions;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using Google.Protobuf.WellKnownTypes;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Checks a submission before anything is stored. Each refusal is INVALID_ARGUMENT naming the field
/// path and the rule (and the value, when it is short and printable), so an officer or an integration
/// engineer can fix it at once. Every time the hub computes with is bounded by the policy's limits.
/// </summary>
internal static partial class RequestValidator
{
    /// <summary>A caller's value fit to quote in a reply: short printable ASCII in quotes, otherwise only its length.</summary>
    public static string Shown(string value) =>
        value.Length <= 64 && value.All(c => c is >= ' ' and <= '~') ? $"'{value}'" : $"({value.Length} characters)";

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Z]{3}$")]
    private static partial Regex Currency();

    /// <summary>Which kind of partner a request goes to.</summary>
    public static PartnerKind RecipientKindFor(Request request) => request.KindCase == Request.KindOneofCase.BulkOrder
        ? request.BulkOrder.Kind == BulkOrderKind.RestrictAccounts ? PartnerKind.Bank : PartnerKind.Carrier
        : RecipientKindFor(request.KindCase);

    private static PartnerKind RecipientKindFor(Request.KindOneofCase kind) => kind switch
    {
        Request.KindOneofCase.StopPayment or Request.KindOneofCase.Freeze or Request.KindOneofCase.FreezeRelease or Request.KindOneofCase.AccountQuery
            or Request.KindOneofCase.FundReturn => PartnerKind.Bank,
        Request.KindOneofCase.CallTrace or Request.KindOneofCase.NumberSuspension => PartnerKind.Carrier,
        Request.KindOneofCase.WarnVictim => PartnerKind.Police,
        _ => PartnerKind.Unspecified,
    };

    public static void Validate(SubmitRequest request, PartnerRegistry registry, TimeLimits limits, DateTimeOffset now)
    {
        Require(request.IdempotencyKey.Length is > 0 and <= 128, "idempotency_key",
            "is required (1-128 characters), so a retried Submit never creates a second exchange");
        Require(request.Priority != Priority.Unspecified, "priority", "is required: CRITICAL, HIGH, MEDIUM or LOW");
        ValidateCase(request.Case, request.Request?.KindCase ?? Request.KindOneofCase.None);
        Require(request.Request is not null && request.Request.KindCase != Request.KindOneofCase.None, "request",
            "must carry one of stop_payment, freeze, freeze_release, fund_return, account_query, call_trace, number_suspension");
        Require(request.Request!.KindCase != Request.KindOneofCase.WarnVictim, "request.warn_victim",
            "only the hub opens dissuasion instructions, from alerts: raise an alert with the Alerts/Raise call");

        Require(request.Recipient is not null && request.Recipient.Id.Length > 0, "recipient.id", "is required");
        var wanted = RecipientKindFor(request.Request!);
        var kindName = KindName(request.Request.KindCase);
        if (!registry.TryGet(request.Recipient!.Id, out var entry))
        {
            Fail("recipient.id", $"{Shown(request.Recipient.Id)} is not a registered partner");
        }

        if (!entry.Enabled)
        {
            Fail("recipient.id", $"'{entry.Id}' is disabled and cannot receive requests");
        }

        if (entry.Kind != wanted)
        {
            Fail("recipient", $"a {kindName} goes to a {PartnerIdentity.KindName(wanted)}, but '{entry.Id}' is a {PartnerIdentity.KindName(entry.Kind)}");
        }

        if (request.Recipient.Kind != PartnerKind.Unspecified && request.Recipient.Kind != entry.Kind)
        {
            Fail("recipient.kind",
                $"says {PartnerIdentity.KindName(request.Recipient.Kind)}, but '{entry.Id}' is registered as a {PartnerIdentity.KindName(entry.Kind)}");
        }

        var r = request.Request;
        switch (r.KindCase)
        {
            case Request.KindOneofCase.StopPayment:
                ValidateAccount(r.StopPayment.Account, "request.stop_payment.account", entry.Id);
                ValidateAmount(r.StopPayment.Amount, "request.stop_payment.amount");
                ValidatePerson(r.StopPayment.Victim, "request.stop_payment.victim");
                ValidatePeriod(r.StopPayment.HoldPeriod, "request.stop_payment.hold_period", limits.MaxHoldPeriod, "limits.maxHoldPeriod");
                ValidatePast(r.StopPayment.ReportedTransfer?.BookedAt, "request.stop_payment.reported_transfer.booked_at", limits, now);
                break;
            case Request.KindOneofCase.Freeze:
                ValidateAccount(r.Freeze.Account, "request.freeze.account", entry.Id);
                ValidateAmount(r.Freeze.Amount, "request.freeze.amount");
                ValidatePerson(r.Freeze.Victim, "request.freeze.victim");
                ValidatePeriod(r.Freeze.FreezePeriod, "request.freeze.freeze_period", limits.MaxFreezePeriod, "limits.maxFreezePeriod");
                ValidatePast(r.Freeze.ReportedTransfer?.BookedAt, "request.freeze.reported_transfer.booked_at", limits, now);
                break;
            case Request.KindOneofCase.FreezeRelease:
                Require(r.FreezeRelease.FreezeExchangeId.Length > 0, "request.freeze_release.freeze_exchange_id",
                    "is required: the exchange whose freeze is released");
                ValidateAccount(r.FreezeRelease.Account, "request.freeze_release.account", entry.Id);
                break;
            case Request.KindOneofCase.FundReturn:
                Require(r.FundReturn.HoldExchangeId.Length > 0, "request.fund_return.hold_exchange_id",
                    "is required: the stop-payment or freeze whose held money is returned");
                ValidateAccount(r.FundReturn.Account, "request.fund_return.account", entry.Id);
                ValidateAmount(r.FundReturn.Amount, "request.fund_return.amount");
                Require(r.FundReturn.VictimAccount is { AccountNumber.Length: > 0, BankId.Length: > 0 }, "request.fund_return.victim_account",
                    "is required: the victim's own account (bank_id and account_number) the money is paid into");
                Require(r.FundReturn.VictimAccount!.AccountNumber != r.FundReturn.Account.AccountNumber
                    || r.FundReturn.VictimAccount.BankId != entry.Id, "request.fund_return.victim_account",
                    "is the held account itself: money is returned to the victim's own account");
                Require(r.FundReturn.DecisionReference.Length > 0, "request.fund_return.decision_reference",
                    "is required: the return decision the bank files with the transfer");
                ValidatePerson(r.FundReturn.Victim, "request.fund_return.victim");
                break;
            case Request.KindOneofCase.AccountQuery:
                ValidateAccount(r.AccountQuery.Account, "request.account_query.account", entry.Id);
                Require(r.AccountQuery.IncludeHolder || r.AccountQuery.IncludeBalance || r.AccountQuery.IncludeTransactions,
                    "request.account_query", "asks for nothing: set include_holder, include_balance or include_transactions");
                if (r.AccountQuery.IncludeTransactions)
                {
                    Require(r.AccountQuery.TransactionsFrom is not null && r.AccountQuery.TransactionsTo is not null,
                        "request.account_query.transactions_from", "and transactions_to are required with include_transactions");
                    Require(r.AccountQuery.TransactionsFrom!.ToDateTimeOffset() < r.AccountQuery.TransactionsTo!.ToDateTimeOffset(),
                        "request.account_query.transactions_to", "must be after transactions_from");
                }

                break;
            case Request.KindOneofCase.CallTrace:
                ValidatePhone(r.CallTrace.CalledNumber, "request.call_trace.called_number", required: true);
                ValidatePhone(r.CallTrace.PresentedNumber, "request.call_trace.presented_number", required: false);
                Require(r.CallTrace.CallTime is not null, "request.call_trace.call_time", "is required");
                ValidatePast(r.CallTrace.CallTime, "request.call_trace.call_time", limits, now);
                ValidatePeriod(r.CallTrace.Window, "request.call_trace.window", limits.MaxTraceWindow, "limits.maxTraceWindow");
                break;
            case Request.KindOneofCase.BulkOrder:
                Require(r.BulkOrder.TotalItems is > 0 and <= BulkOrderRules.MaxItems, "order.total_items",
                    $"must be 1 to {BulkOrderRules.MaxItems:N0} (got {r.BulkOrder.TotalItems}); split a larger operation into several orders");
                ValidatePeriod(r.BulkOrder.Period, "order.period", limits.MaxSuspensionPeriod, "limits.maxSuspensionPeriod");
                break;
            case Request.KindOneofCase.NumberSuspension:
                ValidatePhone(r.NumberSuspension.Number, "request.number_suspension.number", required: true);
                ValidatePeriod(r.NumberSuspension.Period, "request.number_suspension.period", limits.MaxSuspensionPeriod,
                    "limits.maxSuspensionPeriod");
                break;
        }

        ValidatePast(request.Case!.ApprovedAt, "case.approved_at", limits, now);
    }

    /// <summary>A period a partner asks for: positive and within the policy's maximum (the contract's bounds already hold).</summary>
    private static void ValidatePeriod(Duration? period, string path, TimeSpan max, string limit)
    {
        if (period is null)
        {
            return;
        }

        var span = period.ToTimeSpan();
        Require(span > TimeSpan.Zero, path, "must be positive when set");
        Require(span <= max, path, $"is {Describe(span)}; at most {Describe(max)} is allowed ({limit} in the deadline policy)");
    }

    /// <summary>A time something happened: not later than now plus the allowed clock skew.</summary>
    internal static void ValidatePast(Timestamp? at, string path, TimeLimits limits, DateTimeOffset now)
    {
        if (at is not null)
        {
            Require(at.ToDateTimeOffset() <= now + limits.ClockSkew, path,
                $"lies more than {Describe(limits.ClockSkew)} in the future (the hub's clock says {now:u})");
        }
    }

    /// <summary>A time something ends: after now minus the skew is not required, but at most <paramref name="max"/> from now.</summary>
    private static void ValidateUntil(Timestamp? at, string path, TimeSpan max, string limit, DateTimeOffset now)
    {
        if (at is not null)
        {
            Require(at.ToDateTimeOffset() <= now + max, path,
                $"lies more than {Describe(max)} from now; at most {Describe(max)} is allowed ({limit} in the deadline policy)");
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0} days"
        : span.TotalHours >= 1 && span.Ticks % TimeSpan.TicksPerHour == 0 ? $"{span.TotalHours:0} hours"
        : span.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The case every request belongs to. An emergency stop-payment may go out before an officer has
    /// approved it (minutes decide whether the money stays): its approving officer is optional, and a
    /// stop-payment without one says so in the audit log. Every other request names its officer.
    /// </summary>
    private static void ValidateCase(CaseRef? c, Request.KindOneofCase kind)
    {
        Require(c is not null, "case", "is required: the case number, legal basis and approving officer");
        Require(c!.CaseNumber.Length is > 0 and <= 64, "case.case_number", "is required (1-64 characters)");
        Require(c.LegalBasis != LegalBasis.Unspecified, "case.legal_basis", "is required: every request needs a legal basis");
        Require(c.ApprovingOfficer.Length > 0 || kind == Request.KindOneofCase.StopPayment, "case.approving_officer",
            $"is required for a {KindName(kind)} (only an emergency stop-payment may go out before an officer approves it)");
        if (c.FollowTheMoney is { Enabled: true } follow && follow.MinAmount is { } min)
        {
            Require(min.MinorUnits >= 0, "case.follow_the_money.min_amount.minor_units", $"must not be negative (got {min.MinorUnits})");
        }
    }

    internal static void ValidateAccount(AccountRef? account, string path, string recipient)
    {
        Require(account is not null, path, "is required");
        Require(account!.AccountNumber.Length is > 0 and <= 64, path + ".account_number", "is required");
        Require(account.BankId.Length == 0 || account.BankId == recipient, path + ".bank_id",
            $"is {Shown(account.BankId)}, but the request is addressed to '{recipient}': send it to the bank that holds the account");
    }

    internal static void ValidateAmount(Money? amount, string path)
    {
        Require(amount is not null, path, "is required");
        Require(Currency().IsMatch(amount!.Currency), path + ".currency",
            $"must be an ISO 4217 code such as CNY (got {Shown(amount.Currency)})");
        Require(amount.MinorUnits > 0, path + ".minor_units", $"must be a positive amount in minor units (got {amount.MinorUnits})");
    }

    internal static void ValidatePerson(Person? person, string path)
    {
        if (person?.Phone is { } phone)
        {
            ValidatePhone(phone, path + ".phone", required: false);
        }
    }

    internal static void ValidatePhone(PhoneNumber? phone, string path, bool required)
    {
        if (phone is null || phone.E164.Length == 0)
        {
            Require(!required, path + ".e164", "is required");
            return;
        }

        Require(E164().IsMatch(phone.E164), path + ".e164", $"must be an E.164 number such as +8613800138000 (got {Shown(phone.E164)})");
    }

    public static string KindName(Request.KindOneofCase kind) => kind switch
    {
        Request.KindOneofCase.StopPayment => "stop-payment notice",
        Request.KindOneofCase.Freeze => "freeze notice",
        Request.KindOneofCase.FreezeRelease => "freeze release",
        Request.KindOneofCase.FundReturn => "fund return",
        Request.KindOneofCase.AccountQuery => "account query",
        Request.KindOneofCase.CallTrace => "call trace request",
        Request.KindOneofCase.NumberSuspension => "number suspension request",
        Request.KindOneofCase.WarnVictim => "dissuasion instruction",
        Request.KindOneofCase.BulkOrder => "bulk order",
        _ => "request",
    };

    /// <summary>The answer must be the counterpart of the request, with a status, and its times within the policy's limits.</summary>
    public static void ValidateResult(ExchangeRecord exchange, Result? result, TimeLimits limits, DateTimeOffset now)
    {
        Require(result is not null && result.KindCase != Result.KindOneofCase.None, "result",
            "is required (or set rejection_reason to refuse the request)");
        Require(exchange.Request.KindCase != Request.KindOneofCase.WarnVictim && result!.KindCase != Result.KindOneofCase.WarnVictim,
            "result.warn_victim", "a dissuasion instruction is answered with Alerts/ReportOutcome (alert "
            + (exchange.Request.WarnVictim?.AlertId ?? "?") + "), not Inbox.Respond");
        Require(exchange.Request.KindCase != Request.KindOneofCase.BulkOrder && result!.KindCase != Result.KindOneofCase.BulkOrder,
            "result.bulk_order", $"a bulk order is answered item by item with BulkOrders/Answer (order '{exchange.ExchangeId}'), not "
            + "Inbox.Respond; set rejection_reason to refuse the whole order");
        var expected = exchange.Request.KindCase switch
        {
            Request.KindOneofCase.StopPayment => Result.KindOneofCase.StopPayment,
            Request.KindOneofCase.Freeze => Result.KindOneofCase.Freeze,
            Request.KindOneofCase.FreezeRelease => Result.KindOneofCase.FreezeRelease,
            Request.KindOneofCase.FundReturn => Result.KindOneofCase.FundReturn,
            Request.KindOneofCase.AccountQuery => Result.KindOneofCase.AccountQuery,
            Request.KindOneofCase.CallTrace => Result.KindOneofCase.CallTrace,
            _ => Result.KindOneofCase.NumberSuspension,
        };
        if (result!.KindCase != expected)
        {
            Fail("result", $"a {KindName(exchange.Request.KindCase)} is answered with result.{Snake(expected)}, not result.{Snake(result.KindCase)}");
        }

        var (status, path) = result.KindCase switch
        {
            Result.KindOneofCase.StopPayment => ((int)result.StopPayment.Status, "result.stop_payment.status"),
            Result.KindOneofCase.Freeze => ((int)result.Freeze.Status, "result.freeze.status"),
            Result.KindOneofCase.FreezeRelease => ((int)result.FreezeRelease.Status, "result.freeze_release.status"),
            Result.KindOneofCase.FundReturn => ((int)result.FundReturn.Status, "result.fund_return.status"),
            Result.KindOneofCase.AccountQuery => ((int)result.AccountQuery.Status, "result.account_query.status"),
            Result.KindOneofCase.CallTrace => ((int)result.CallTrace.Status, "result.call_trace.status"),
            _ => ((int)result.NumberSuspension.Status, "result.number_suspension.status"),
        };
        Require(status != 0, path, "is required");
        if (result.KindCase is Result.KindOneofCase.StopPayment or Result.KindOneofCase.Freeze)
        {
            var hold = result.KindCase == Result.KindOneofCase.StopPayment ? result.StopPayment : result.Freeze;
            var prefix = "result." + Snake(result.KindCase);
            if (hold.AmountHeld is { } held)
            {
                Require(held.MinorUnits >= 0, prefix + ".amount_held.minor_units", $"must not be negative (got {held.MinorUnits})");
            }

            for (var i = 0; i < hold.OnwardTransfers.Count; i++)
            {
                var t = hold.OnwardTransfers[i];
                Require(t.Amount is { MinorUnits: > 0 }, $"{prefix}.onward_transfers[{i}].amount.minor_units", "must be a positive amount");
                Require(t.Counterparty is { AccountNumber.Length: > 0 }, $"{prefix}.onward_transfers[{i}].counterparty.account_number",
                    "is required: where the money went");
                ValidatePast(t.BookedAt, $"{prefix}.onward_transfers[{i}].booked_at", limits, now);
            }

            ValidatePast(hold.ExecutedAt, prefix + ".executed_at", limits, now);
            var (max, limit) = result.KindCase == Result.KindOneofCase.StopPayment
                ? (limits.MaxHoldPeriod, "limits.maxHoldPeriod")
                : (limits.MaxFreezePeriod, "limits.maxFreezePeriod");
            ValidateUntil(hold.HoldExpiresAt, prefix + ".hold_expires_at", max, limit, now);
        }
        else if (result.KindCase == Result.KindOneofCase.FundReturn)
        {
            var returned = result.FundReturn;
            ValidatePast(returned.ReturnedAt, "result.fund_return.returned_at", limits, now);
            if (returned.AmountReturned is { } paid)
            {
                Require(paid.MinorUnits >= 0, "result.fund_return.amount_returned.minor_units", $"must not be negative (got {paid.MinorUnits})");
                Require(paid.MinorUnits <= exchange.Request.FundReturn.Amount.MinorUnits, "result.fund_return.amount_returned.minor_units",
                    $"is {paid.MinorUnits}, more than the {exchange.Request.FundReturn.Amount.MinorUnits} the return asked for");
            }

            Require(returned.Status is not (ReturnStatus.Returned or ReturnStatus.Partial) || returned.AmountReturned is { MinorUnits: > 0 },
                "result.fund_return.amount_returned", "is required when money was returned");
        }
        else if (result.KindCase == Result.KindOneofCase.FreezeRelease)
        {
            ValidatePast(result.FreezeRelease.ReleasedAt, "result.freeze_release.released_at", limits, now);
        }
        else if (result.KindCase == Result.KindOneofCase.NumberSuspension)
        {
            ValidatePast(result.NumberSuspension.SuspendedAt, "result.number_suspension.suspended_at", limits, now);
            ValidateUntil(result.NumberSuspension.SuspendedUntil, "result.number_suspension.suspended_until", limits.MaxSuspensionPeriod,
                "limits.maxSuspensionPeriod", now);
        }
        else if (result.KindCase == Result.KindOneofCase.AccountQuery)
        {
            for (var i = 0; i < result.AccountQuery.Transactions.Count; i++)
            {
                ValidatePast(result.AccountQuery.Transactions[i].BookedAt, $"result.account_query.transactions[{i}].booked_at", limits,
                    now);
            }
        }
        else if (result.KindCase == Result.KindOneofCase.CallTrace)
        {
            for (var i = 0; i < result.CallTrace.Hops.Count; i++)
            {
                ValidatePast(result.CallTrace.Hops[i].SeenAt, $"result.call_trace.hops[{i}].seen_at", limits, now);
            }
        }
    }

    private static string Snake(Result.KindOneofCase kind) => kind switch
    {
        Result.KindOneofCase.StopPayment => "stop_payment",
        Result.KindOneofCase.Freeze => "freeze",
        Result.KindOneofCase.FreezeRelease => "freeze_release",
        Result.KindOneofCase.FundReturn => "fund_return",
        Result.KindOneofCase.AccountQuery => "account_query",
        Result.KindOneofCase.CallTrace => "call_trace",
        Result.KindOneofCase.NumberSuspension => "number_suspension",
        Result.KindOneofCase.WarnVictim => "warn_victim",
        _ => "none",
    };

    internal static void Require(bool condition, string field, string rule)
    {
        if (!condition)
        {
            Fail(field, rule);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void Fail(string field, string rule) =>
        throw Refusal.InvalidArgument($"{field}: {rule}.");
}
