using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// The Alerts service's work: raise (validate, fuse, commit, audit, dispatch — all before the reply),
/// read, list, claim and report outcomes. Readers are checked against the alert (units it went to and
/// those above them, its raisers, auditors); anyone else gets the same PERMISSION_DENIED whether or not
/// the alert exists.
/// </summary>
internal sealed class AlertDesk(
    IAlertStore alerts,
    IExchangeStore store,
    AlertDispatcher dispatcher,
    AlertViews views,
    AlertRouting routing,
    AlertPolicy policy,
    FusionKeys fusionKeys,
    DeadlinePolicy deadlinePolicy,
    ExchangeAccess access,
    InboxDelivery inbox,
    Submissions submissions,
    InboxBroker broker,
    EventBus bus,
    TimeProvider time,
    ILogger<AlertDesk> logger)
{
    public const int DefaultListSize = 100;
    public const int MaxListSize = 1000;

    /// <param name="fromHub">Raised by the hub on the caller's behalf (a risk-list hit it reported).</param>
    public async Task<RaiseAlertResponse> RaiseAsync(PartnerIdentity caller, RaiseAlertRequest request, CancellationToken cancellationToken,
        bool fromHub = false)
    {
        var now = time.GetUtcNow();
        AlertValidator.Validate(caller, request, routing.IsCity(caller.Id), deadlinePolicy.Current.Limits, now, fromHub);
        var rules = policy.Current;
        var raised = await alerts.RaiseAsync(
            new AlertRaiseCommand(caller.Id, request.IdempotencyKey, fusionKeys.For(request.Victim), now - rules.FusionWindow, now),
            open =>
            {
                var (fused, signalId) = AlertFusion.Fuse(open, caller, request, now, rules);
                return (dispatcher.Plan(fused, now), signalId);
            }, cancellationToken);
        var alert = raised.Alert;
        var audited = Task.FromResult<Receipt?>(null);
        if (!raised.Duplicate)
        {
            var what = raised.Fused ? "fused" : "raised";
            // Only the salted commitment of the request enters the log: no clear personal data.
            audited = access.AuditAsync(new AuditEvent(AuditEventKind.AlertRaised, caller.ToRef(),
                $"{AlertValidator.Snake(request.Signal.KindCase)}; {what}; tier {alert.Tier} ({alert.TierReason}); signal {raised.SignalId}",
                null, alert.AlertId, null, request) { BodyKeptUnder = alert.AlertId }, cancellationToken);
            HubMetrics.AlertsRaised.Add(1, new KeyValuePair<string, object?>("tier", HubMetrics.Label(alert.Tier)));
            AlertLog.Raised(logger, alert.AlertId, what, caller.Id, AlertValidator.Snake(request.Signal.KindCase), alert.Tier, alert.TierReason);
        }

        // First found, first pushed: the instruction is on the unit's inbox before the raiser hears back (the audit entry is written
        // meanwhile; both are done before the reply). A duplicate finishes a dispatch a crash may have interrupted (every step is
        // idempotent).
        var dispatched = dispatcher.DispatchAsync(alert, cancellationToken);
        await Task.WhenAll(audited, dispatched);
        var receipt = await audited;
        alert = await dispatched;
        return new RaiseAlertResponse
        {
            AlertId = alert.AlertId,
            SignalId = raised.SignalId,
            Fused = raised.Fused,
            Duplicate = raised.Duplicate,
            Tier = alert.Tier,
            Receipt = receipt,
        };
    }

    public async Task<AlertView> GetAsync(PartnerIdentity caller, string alertId, CancellationToken cancellationToken)
    {
        var (alert, reader) = await ReadableAsync(caller, alertId, "Alerts/Get", cancellationToken);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Alerts/Get", null, alert.AlertId),
            cancellationToken);
        return await views.ForAsync(caller, reader, alert, cancellationToken);
    }

    public async Task<AlertList> ListAsync(PartnerIdentity caller, ListAlertsRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var to = request.To?.ToDateTimeOffset() ?? now.AddSeconds(1);
        var from = request.From?.ToDateTimeOffset() ?? to.AddDays(-1);
        RequestValidator.Require(from < to, "from", "must be before to");
        RequestValidator.Require(to - from <= TimeSpan.FromDays(366), "to", "the period may span at most 366 days");
        RequestValidator.Require(request.MaxItems <= MaxListSize, "max_items", $"at most {MaxListSize}");
        var max = request.MaxItems == 0 ? DefaultListSize : (int)request.MaxItems;
        var matched = (await alerts.ListAsync(from, to, cancellationToken, request.OpenOnly))
            .Select(a => (Alert: a, Reader: views.ReaderOf(caller, a)))
            .Where(x => x.Reader != AlertReader.None)
            .OrderBy(x => x.Alert.Tier).ThenBy(x => x.Alert.FirstRaisedAt.ToDateTimeOffset())
            .ToList();
        var list = new AlertList { Matched = (uint)matched.Count };
        foreach (var (alert, reader) in matched.Take(max))
        {
            list.Alerts.Add(await views.ForAsync(caller, reader, alert, cancellationToken));
        }

        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), $"Alerts/List: {list.Alerts.Count} alerts listed"),
            cancellationToken);
        return list;
    }

    public async Task<AlertView> ClaimAsync(PartnerIdentity caller, string alertId, CancellationToken cancellationToken)
    {
        var (alert, reader) = await ReadableAsync(caller, alertId, "Alerts/Claim", cancellationToken);
        var own = alert.Assignments.FirstOrDefault(a => a.Unit.Id == caller.Id);
        if (reader != AlertReader.Unit || own is null)
        {
            throw Refusal.FailedPrecondition($"alert_id: alert '{alertId}' was not dispatched to '{caller.Id}'; only a unit it went to "
                + "claims it (a unit above may report its outcome).");
        }

        await inbox.AckAsync(caller, own.ExchangeId, cancellationToken);
        return await views.ForAsync(caller, reader, (await alerts.GetAsync(alertId, cancellationToken))!, cancellationToken);
    }

    public async Task<ReportOutcomeResponse> ReportOutcomeAsync(PartnerIdentity caller, ReportOutcomeRequest request,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        AlertValidator.ValidateOutcome(request, deadlinePolicy.Current.Limits, now);
        var (alert, reader) = await ReadableAsync(caller, request.AlertId, "Alerts/ReportOutcome", cancellationToken);
        if (reader != AlertReader.Unit)
        {
            await access.DeniedAsync(caller, $"reported an outcome of alert {request.AlertId} it was not dispatched", null, cancellationToken);
            throw Refusal.PermissionDenied($"alert_id: only a police unit the alert went to (or one above it) reports its outcome.");
        }

        if (alert.State == AlertState.Closed)
        {
            var final = alert.Outcomes.Last(o => AlertValidator.IsFinal(o.Kind));
            throw Refusal.FailedPrecondition($"alert_id: alert '{alert.AlertId}' is already closed: {final.Kind} reported by {final.Unit.Id}.");
        }

        var kind = request.Outcome.Kind;
        var stopPaymentId = kind == AlertOutcomeKind.AlreadyTransferred && request.OpenStopPayment
            ? await OpenStopPaymentAsync(caller, alert, request.CaseNumber, cancellationToken)
            : string.Empty;
        var outcome = request.Outcome.Clone();
        outcome.Unit = caller.ToRef();
        outcome.At ??= Timestamp.FromDateTimeOffset(now);
        outcome.RecordedAt = Timestamp.FromDateTimeOffset(now);
        outcome.HoldAdvice = AlertFusion.Advice(kind);
        outcome.StopPaymentExchangeId = stopPaymentId;
        var isFinal = AlertValidator.IsFinal(kind);
        alert = await alerts.UpdateAsync(alert.AlertId, current =>
        {
            if (current.State == AlertState.Closed)
            {
                throw Refusal.FailedPrecondition($"alert_id: alert '{current.AlertId}' was closed meanwhile.");
            }

            var next = current.Clone();
            next.Outcomes.Add(outcome);
            next.State = isFinal ? AlertState.Closed : AlertState.Contacted;
            next.HoldAdvice = isFinal ? outcome.HoldAdvice : HoldAdvice.KeepHolding;
            next.UpdatedAt = outcome.RecordedAt;
            return next;
        }, cancellationToken);

        var receipt = await access.AuditAsync(new AuditEvent(AuditEventKind.AlertOutcome, caller.ToRef(),
            $"{kind}; hold advice {outcome.HoldAdvice}" + (stopPaymentId.Length > 0 ? $"; stop-payment {stopPaymentId}" : string.Empty),
            null, alert.AlertId, null, request) { BodyKeptUnder = alert.AlertId }, cancellationToken);
        AlertLog.Outcome(logger, alert.AlertId, caller.Id, kind, outcome.HoldAdvice);
        await CloseInstructionsAsync(caller, alert, outcome, isFinal, now, cancellationToken);
        return new ReportOutcomeResponse
        {
            Alert = await views.ForAsync(caller, reader, alert, cancellationToken),
            Receipt = receipt,
            StopPaymentExchangeId = stopPaymentId,
        };
    }

    /// <summary>The reporting unit's instruction is answered (its contact deadline is met); a final outcome cancels the others.</summary>
    private async Task CloseInstructionsAsync(PartnerIdentity caller, AlertView alert, AlertOutcome outcome, bool isFinal, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var answered = false;
        foreach (var assignment in alert.Assignments.OrderBy(a => a.Unit.Id == caller.Id ? 0 : 1))
        {
            var record = await store.GetAsync(assignment.ExchangeId, cancellationToken);
            if (record is null || ExchangeStates.IsTerminal(record.State) && record.State != ExchangeState.Expired)
            {
                continue;
            }

            var mine = !answered && routing.IsAtOrAbove(caller.Id, assignment.Unit.Id);
            if (!mine && !isFinal)
            {
                continue;
            }

            Committed committed;
            if (mine)
            {
                answered = true;
                committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Answered(r, new Result { WarnVictim = outcome }, now,
                    deadlinePolicy.Current.HoldPeriod), cancellationToken);
            }
            else if (record.State == ExchangeState.Expired)
            {
                continue;
            }
            else
            {
                committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Cancelled(r,
                    $"alert closed by {caller.Id}: {outcome.Kind}", now), cancellationToken);
            }

            broker.Complete(record.To.Id, record.ExchangeId);
            bus.Publish(record.From.Id, committed.Events);
        }
    }

    /// <summary>"Already transferred": an emergency stop-payment at the payee's bank, through the normal submission path (validated,
    /// audited, followed).</summary>
    private async Task<string> OpenStopPaymentAsync(PartnerIdentity caller, AlertView alert, string caseNumber,
        CancellationToken cancellationToken)
    {
        var transfer = alert.Signals.Where(s => s.KindCase == AlertSignal.KindOneofCase.BankTransfer).Select(s => s.BankTransfer).LastOrDefault()
            ?? throw Refusal.InvalidArgument("open_stop_payment: the alert has no bank transfer signal, so there is no payee account to hold.");
        var response = await submissions.SubmitAsync(caller, new SubmitRequest
        {
            IdempotencyKey = $"alert:{alert.AlertId}:stop-payment",
            Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = transfer.Payee.BankId },
            Priority = Priority.Critical,
            Case = new CaseRef
            {
                CaseNumber = caseNumber.Length > 0 ? caseNumber : alert.AlertId,
                LegalBasis = LegalBasis.EmergencyStopPayment,
                LegalReference = $"early warning {alert.AlertId}: already transferred",
                FollowTheMoney = new Contract.V1.FollowTheMoney { Enabled = true },
            },
            Request = new Request
            {
                StopPayment = new StopPaymentNotice
                {
                    Account = transfer.Payee.Clone(),
                    Amount = transfer.Amount.Clone(),
                    Victim = alert.Victim?.Person?.Clone(),
                    Reason = "early warning: the potential victim had already transferred",
                },
            },
        }, cancellationToken);
        return response.ExchangeId;
    }

    /// <summary>The alert and how the caller may read it; a caller with no standing gets PERMISSION_DENIED (audited), the same as for
    /// an alert that does not exist.</summary>
    private async Task<(AlertView Alert, AlertReader Reader)> ReadableAsync(PartnerIdentity caller, string alertId, string call,
        CancellationToken cancellationToken)
    {
        RequestValidator.Require(alertId.Length > 0, "alert_id", "is required");
        var alert = await alerts.GetAsync(alertId, cancellationToken);
        var reader = alert is null ? AlertReader.None : views.ReaderOf(caller, alert);
        if (reader == AlertReader.None)
        {
            await access.DeniedAsync(caller, $"{call} of an alert it has no part in", null, cancellationToken);
            throw Refusal.PermissionDenied($"alert_id: {RequestValidator.Shown(alertId)} is not an alert '{caller.Id}' raised, was "
                + "dispatched, or supervises.");
        }

        return (alert!, reader);
    }
}
