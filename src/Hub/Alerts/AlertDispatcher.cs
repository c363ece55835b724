using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// Puts alerts in front of the police units that must act: each unit gets a dissuasion instruction as an
/// exchange on its inbox (durable, tier-ordered, with the tier's contact deadline, audited), sent by the city
/// centre at the top of its hierarchy so the centre can watch it. A revised alert (a signal joined, the
/// tier rose) revises the open instructions in place: new priority, an earlier deadline if the new tier
/// demands one, redelivered if not yet claimed. A missed deadline escalates to the unit's parent.
/// Every step is idempotent, so a restart or a second replica repeating one changes nothing.
/// </summary>
internal sealed class AlertDispatcher(
    IAlertStore alerts,
    IExchangeStore store,
    ExchangeIntake intake,
    InboxBroker broker,
    EventBus bus,
    DeadlineTracker deadlines,
    DeadlinePolicy deadlinePolicy,
    AlertRouting routing,
    IAuditSink audit,
    TimeProvider time,
    ILogger<AlertDispatcher> logger)
{
    /// <summary>
    /// Plans the alert's instructions inside the raise's own write: every unit the alert should reach and does not yet, with the
    /// exchange id and contact deadline its instruction will have. <see cref="DispatchAsync"/> then opens exactly these, so a
    /// committed alert always names its instructions, and a crash in between is finished by opening them again (idempotent).
    /// </summary>
    public AlertView Plan(AlertView alert, DateTimeOffset now)
    {
        if (alert.State == AlertState.Closed)
        {
            return alert;
        }

        var targets = routing.Route(alert.Victim?.DivisionCode ?? string.Empty).ToList();
        // A risk-list hit goes to the unit that owns the entry's case (which then needs no locate queue).
        var owners = alert.Signals.Where(s => s.KindCase == AlertSignal.KindOneofCase.ListHit && s.ListHit.Owner is not null)
            .Select(s => s.ListHit.Owner.Id).Distinct().Select(routing.Unit).OfType<PartnerEntry>().ToList();
        if (owners.Count > 0)
        {
            targets.RemoveAll(t => t.Role == AlertRole.Locate);
            targets.AddRange(owners.Where(o => targets.All(t => t.Unit.Id != o.Id)).Select(o => new AlertTarget(o, AlertRole.CaseOwner)));
        }

        foreach (var target in targets.Where(t => alert.Assignments.All(a => a.Unit.Id != t.Unit.Id)))
        {
            alert.Assignments.Add(new AlertAssignment
            {
                Unit = new PartnerRef { Kind = PartnerKind.Police, Id = target.Unit.Id },
                Role = target.Role,
                ExchangeId = ExchangeIds.New(now),
                DispatchedAt = Timestamp.FromDateTimeOffset(now),
                ContactDeadline = Timestamp.FromDateTimeOffset(now + deadlinePolicy.Current.DeadlineFor(Request.KindOneofCase.WarnVictim, alert.Tier)),
            });
        }

        if (alert.Assignments.Count == 0)
        {
            AlertLog.NoUnit(logger, alert.AlertId, alert.Victim?.DivisionCode ?? string.Empty);
        }

        return alert;
    }

    /// <summary>Dispatches the alert's latest revision: planned instructions are opened, open ones revised, all at once (a raise waits
    /// for one commit, not one per unit). The revision is then marked dispatched in the background: should that mark be lost, the
    /// start-up sweep repeats this, which changes nothing.</summary>
    public async Task<AlertView> DispatchAsync(AlertView alert, CancellationToken cancellationToken)
    {
        if (alert.State != AlertState.Closed)
        {
            await Task.WhenAll(alert.Assignments.Select(a => OpenOrReviseAsync(alert, a, cancellationToken)));
        }

        _ = MarkAsync(alert.AlertId, alert.Revision);
        return alert;
    }

    private async Task MarkAsync(string alertId, uint revision)
    {
        try
        {
            await alerts.MarkDispatchedAsync(alertId, revision, CancellationToken.None);
        }
        catch (Exception ex)
        {
            AlertLog.MarkFailed(logger, alertId, ex);
        }
    }

    private async Task OpenOrReviseAsync(AlertView alert, AlertAssignment assignment, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(assignment.ExchangeId, cancellationToken) is null)
        {
            await OpenAsync(alert, assignment, cancellationToken);
        }
        else
        {
            await ReviseAsync(alert, assignment, cancellationToken);
        }
    }

    /// <summary>The unit missed its contact deadline: its parent gets the alert (once), unless the alert is closed.</summary>
    public async Task EscalateAsync(ExchangeRecord missed, CancellationToken cancellationToken)
    {
        var alertId = missed.Request.WarnVictim.AlertId;
        var alert = await alerts.GetAsync(alertId, cancellationToken);
        if (alert is null || alert.State == AlertState.Closed)
        {
            return;
        }

        if (routing.Parent(missed.To.Id) is not { } parent)
        {
            AlertLog.NoParent(logger, alertId, missed.To.Id);
            return;
        }

        if (alert.Assignments.Any(a => a.Unit.Id == parent.Id))
        {
            return;
        }

        var now = time.GetUtcNow();
        var assignment = new AlertAssignment
        {
            Unit = new PartnerRef { Kind = PartnerKind.Police, Id = parent.Id },
            Role = AlertRole.Escalated,
            ExchangeId = ExchangeIds.New(now),
            DispatchedAt = Timestamp.FromDateTimeOffset(now),
            ContactDeadline = Timestamp.FromDateTimeOffset(now + deadlinePolicy.Current.DeadlineFor(Request.KindOneofCase.WarnVictim, alert.Tier)),
        };
        // Planned first, opened second: a crash in between is finished by the start-up sweep.
        alert = await alerts.UpdateAsync(alertId, current => WithAssignments(current, [assignment]), cancellationToken);
        if (alert.Assignments.FirstOrDefault(a => a.Unit.Id == parent.Id) is { } planned)
        {
            await OpenOrReviseAsync(alert, planned, cancellationToken);
        }

        AlertLog.Escalated(logger, alertId, missed.To.Id, parent.Id, alert.Tier);
    }

    private static AlertView? WithAssignments(AlertView current, IReadOnlyList<AlertAssignment> added)
    {
        var fresh = added.Where(a => current.Assignments.All(c => c.Unit.Id != a.Unit.Id)).ToList();
        if (fresh.Count == 0)
        {
            return null;
        }

        var next = current.Clone();
        next.Assignments.AddRange(fresh);
        return next;
    }

    private async Task OpenAsync(AlertView alert, AlertAssignment assignment, CancellationToken cancellationToken)
    {
        var unitId = assignment.Unit.Id;
        var role = assignment.Role;
        var root = routing.Root(unitId);
        var sender = new PartnerIdentity(PartnerKind.Police, root);
        var request = new SubmitRequest
        {
            IdempotencyKey = $"alert:{alert.AlertId}:{unitId}",
            Recipient = new PartnerRef { Kind = PartnerKind.Police, Id = unitId },
            Priority = alert.Tier,
            Case = new CaseRef
            {
                CaseNumber = alert.AlertId,
                LegalBasis = LegalBasis.FraudWarning,
                LegalReference = "early warning: " + alert.TierReason,
            },
            Request = new Request { WarnVictim = Instruction(alert, role) },
        };
        var outcome = await intake.AcceptAsync(sender, request, parent: null, cancellationToken, assignment.ExchangeId,
            assignment.ContactDeadline.ToDateTimeOffset());
        var record = outcome.Record;
        if (!outcome.Duplicate)
        {
            await audit.RecordAsync(new AuditEvent(AuditEventKind.Submitted, null,
                $"dissuasion instruction; alert {alert.AlertId}; {role}; tier {alert.Tier}; contact deadline {record.Deadline.ToDateTimeOffset():O}",
                record.ExchangeId, alert.AlertId, record.To), cancellationToken);
            AlertLog.Dispatched(logger, alert.AlertId, unitId, role, alert.Tier, record.Deadline.ToDateTimeOffset());
        }
    }

    private async Task ReviseAsync(AlertView alert, AlertAssignment assignment, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(assignment.ExchangeId, cancellationToken);
        if (current is null || !ExchangeStates.IsRunning(current.State) || current.Request.WarnVictim.Revision >= alert.Revision)
        {
            return;
        }

        var now = time.GetUtcNow();
        var committed = await store.UpdateAsync(assignment.ExchangeId, r => Revised(r, alert, assignment.Role, now), cancellationToken);
        if (committed.Events.Count == 0)
        {
            return;
        }

        var updated = committed.Record;
        bus.Publish(updated.From.Id, committed.Events);
        if (ExchangeStates.IsOwedToRecipient(updated))
        {
            // Re-queued at the new tier; a stream holding it unclaimed gets the revised instruction again.
            broker.Complete(updated.To.Id, updated.ExchangeId);
            broker.Enqueue(new PendingDelivery(updated.ExchangeId, updated.To.Id, updated.Priority, 0, updated.DeliveryAttempts));
        }

        if (updated.Deadline != current.Deadline)
        {
            deadlines.Track(updated);
        }
    }

    private ExchangeChange? Revised(ExchangeRecord current, AlertView alert, AlertRole role, DateTimeOffset now)
    {
        if (!ExchangeStates.IsRunning(current.State) || current.Request.WarnVictim.Revision >= alert.Revision)
        {
            return null;
        }

        var next = current.Clone();
        next.Request.WarnVictim = Instruction(alert, role);
        var before = current.Priority;
        if (alert.Tier < next.Priority)
        {
            next.Priority = alert.Tier;
            var sooner = current.SubmittedAt.ToDateTimeOffset() + deadlinePolicy.Current.DeadlineFor(Request.KindOneofCase.WarnVictim, alert.Tier);
            if (sooner < current.Deadline.ToDateTimeOffset())
            {
                next.Deadline = Timestamp.FromDateTimeOffset(sooner < now ? now : sooner);
            }
        }

        var reason = before == next.Priority
            ? $"alert revised (revision {alert.Revision}): a signal joined"
            : $"alert revised (revision {alert.Revision}): tier {before} -> {next.Priority} ({alert.TierReason})";
        return new ExchangeChange(next, [ExchangeLifecycle.Event(next, now, new Transition { From = current.State, To = next.State, Reason = reason })]);
    }

    /// <summary>What the unit gets: the fused person, every signal (without each raiser's own copy of the person), the tier and its
    /// reason.</summary>
    private DissuasionInstruction Instruction(AlertView alert, AlertRole role)
    {
        var instruction = new DissuasionInstruction
        {
            AlertId = alert.AlertId,
            Tier = alert.Tier,
            Role = role,
            Victim = alert.Victim?.Clone(),
            TierReason = alert.TierReason,
            FirstRaisedAt = alert.FirstRaisedAt,
            Revision = alert.Revision,
        };
        foreach (var signal in alert.Signals)
        {
            var copy = signal.Clone();
            copy.Victim = null;
            instruction.Signals.Add(copy);
        }

        return instruction;
    }
}
