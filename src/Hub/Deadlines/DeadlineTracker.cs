using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Deadlines;

/// <summary>
/// Watches every open deadline and stop-payment hold on the hub's clock. When a deadline nears it
/// emits DEADLINE_APPROACHING; when it passes, the exchange becomes EXPIRED with DEADLINE_PASSED; when a
/// hold is about to lapse, HOLD_EXPIRING. Each goes to the submitter's watch stream, the operator log
/// and the audit log, and fires once: the store records which escalations happened, so a restart (or
/// another replica) never repeats one. Timers are re-armed from the store at start.
/// </summary>
internal sealed class DeadlineTracker(
    IExchangeStore store,
    EventBus bus,
    DutyNotices dutyNotices,
    PartnerRegistry registry,
    DeadlinePolicy policy,
    IAuditSink audit,
    TimeProvider time,
    BackgroundFaults faults,
    ILogger<DeadlineTracker> logger) : BackgroundService
{
    /// <summary>The longest single wait: far timers are reached in steps (a timer cannot wait more than 49.7 days).</summary>
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromHours(1);

    private readonly PriorityQueue<(string Id, EscalationLevel Level), DateTimeOffset> _due = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the timers of stored exchanges are re-armed after start.</summary>
    public Task Armed => _armed.Task;

    public int Scheduled
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>Raised when this process starts tracking an exchange, so other replicas track it too (escalations still fire
    /// once).</summary>
    public event Action<string>? Tracked;

    /// <summary>Arms the timers of an exchange: its deadline warning and expiry, or its hold warning once answered.</summary>
    public void Track(ExchangeRecord record)
    {
        TrackLocal(record);
        Tracked?.Invoke(record.ExchangeId);
    }

    /// <summary>Arms the timers in this process only (re-armed from the store, or tracked by another replica).</summary>
    public void TrackLocal(ExchangeRecord record)
    {
        var rules = policy.Current;
        try
        {
            lock (_gate)
            {
                if (ExchangeStates.IsRunning(record.State))
                {
                    var submitted = record.SubmittedAt.ToDateTimeOffset();
                    var deadline = record.Deadline.ToDateTimeOffset();
                    _due.Enqueue((record.ExchangeId, EscalationLevel.DeadlineApproaching), submitted
                        + ((deadline - submitted) * rules.WarnAtFraction));
                    _due.Enqueue((record.ExchangeId, EscalationLevel.DeadlinePassed), deadline);
                }
                else if (record.State == ExchangeState.Answered && record.HoldExpiresAt is { } hold)
                {
                    var expires = hold.ToDateTimeOffset();
                    var warnAt = expires - DateTimeOffset.MinValue > rules.HoldWarning ? expires - rules.HoldWarning : DateTimeOffset.MinValue;
                    _due.Enqueue((record.ExchangeId, EscalationLevel.HoldExpiring), warnAt);
                }
            }
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // A time no Timestamp or clock can hold (stored before the hub bounded every time): skip it, loudly.
            faults.Record(nameof(DeadlineTracker), ex, logger);
            return;
        }

        _wake.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhileStoreUnavailable(RearmAsync, stoppingToken);
            DeadlineLog.Rearmed(logger, Scheduled);
        }
        finally
        {
            _armed.TrySetResult();
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A background service never stops the host: log, count, and carry on after a pause.
                faults.Record(nameof(DeadlineTracker), ex, logger);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Fires what is due, or sleeps until the next due time (at most <see cref="MaxSleep"/>) or a wake-up.</summary>
    private async Task StepAsync(CancellationToken stoppingToken)
    {
        var wake = _wake;
        (string Id, EscalationLevel Level) next = default;
        DateTimeOffset due = DateTimeOffset.MaxValue;
        lock (_gate)
        {
            if (_due.TryPeek(out var item, out var at))
            {
                next = item;
                due = at;
            }
        }

        var now = time.GetUtcNow();
        if (due <= now)
        {
            lock (_gate)
            {
                _due.Dequeue();
            }

            await FireAsync(next.Id!, next.Level, stoppingToken);
            return;
        }

        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
            return;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var wait = due == DateTimeOffset.MaxValue || due - now > MaxSleep ? MaxSleep : due - now;
        var sleeping = Task.Delay(wait, time, delay.Token);
        await Task.WhenAny(sleeping, wake.Task);
        await delay.CancelAsync();
    }

    /// <summary>Arms the timers of every exchange the store says is open (at start, and after a lost shared store comes back); returns how
    /// many.</summary>
    public async Task<int> RearmAsync(CancellationToken cancellationToken)
    {
        var open = await store.ListOpenAsync(cancellationToken);
        foreach (var record in open)
        {
            TrackLocal(record);
        }

        return open.Count;
    }

    /// <summary>At start a store that is briefly unreachable is waited for, not fatal; any other failure is counted and retried
    /// too.</summary>
    private async Task WhileStoreUnavailable(Func<CancellationToken, Task<int>> work, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await work(stoppingToken);
                return;
            }
            catch (StoreUnavailableException ex)
            {
                DeadlineLog.RearmFailed(logger, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                faults.Record(nameof(DeadlineTracker), ex, logger);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
        }
    }

    private async Task FireAsync(string id, EscalationLevel level, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var committed = await store.TryEscalateAsync(id, level, current => level == EscalationLevel.DeadlinePassed
                ? ExchangeLifecycle.Expired(current, now)
                : ExchangeLifecycle.Warn(current, level, now), cancellationToken);
            if (committed is null || committed.Events.Count == 0)
            {
                return;
            }

            var record = committed.Record;
            bus.Publish(record.From.Id, committed.Events);
            NotifyResponder(record, level, now);
            HubMetrics.Escalations.Add(1, new("level", HubMetrics.Label(level)), new("kind", HubMetrics.Label(record.Request.KindCase)),
                new("tier", HubMetrics.Label(record.Priority)));
            DeadlineLog.Escalated(logger, level, id, record.To.Id, record.From.Id, record.Case.CaseNumber,
                (level == EscalationLevel.HoldExpiring ? record.HoldExpiresAt : record.Deadline).ToDateTimeOffset());
            await audit.RecordAsync(new AuditEvent(
                level == EscalationLevel.DeadlinePassed ? AuditEventKind.Expired : AuditEventKind.Escalated,
                null, level.ToString(), id, record.Case.CaseNumber, record.To), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DeadlineLog.EscalationFailed(logger, level, id, ex);
            lock (_gate)
            {
                // Try again shortly: an escalation must not be lost to a passing store failure.
                _due.Enqueue((id, level), time.GetUtcNow().AddSeconds(5));
            }
        }
    }

    /// <summary>The responder's duty side hears of the escalation too (streams that asked for duty notices), with its own duty desk
    /// for this kind of request at this hour from the registry. A hold lapsing concerns the submitter only.</summary>
    private void NotifyResponder(ExchangeRecord record, EscalationLevel level, DateTimeOffset now)
    {
        if (level == EscalationLevel.HoldExpiring)
        {
            return;
        }

        var duty = registry.TryGet(record.To.Id, out var responder)
            ? DutyContact.InForce(responder.Duty, record.Request.KindCase, now)?.Contact ?? ""
            : "";
        dutyNotices.Publish(record.To.Id, new DutyNotice
        {
            Level = level, ExchangeId = record.ExchangeId, Priority = record.Priority, Deadline = record.Deadline, Submitter = record.From,
            RequestKind = RequestKinds.Name(record.Request.KindCase),
            DutyContact = duty, At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        });
        DeadlineLog.ResponderNotified(logger, level, record.ExchangeId, record.To.Id, duty.Length > 0 ? duty : "(no duty roster)");
    }
}

internal static partial class DeadlineLog
{
    [LoggerMessage(300, LogLevel.Information, "Deadline timers re-armed: {Count} scheduled")]
    public static partial void Rearmed(ILogger logger, int count);

    [LoggerMessage(301, LogLevel.Warning,
        "ESCALATION {Level}: exchange {ExchangeId} to {Recipient} from {Submitter} (case {CaseNumber}) due {Due:u}")]
    public static partial void Escalated(ILogger logger, EscalationLevel level, string exchangeId, string recipient, string submitter,
        string caseNumber, DateTimeOffset due);

    [LoggerMessage(303, LogLevel.Error, "Deadline timers could not be re-armed (store unavailable); retrying in 2 s")]
    public static partial void RearmFailed(ILogger logger, Exception exception);

    [LoggerMessage(304, LogLevel.Warning, "Escalation {Level} of {ExchangeId} sent to the responder {Responder}'s duty side: {Duty}")]
    public static partial void ResponderNotified(ILogger logger, EscalationLevel level, string exchangeId, string responder, string duty);

    [LoggerMessage(302, LogLevel.Error, "Escalation {Level} of {ExchangeId} failed; retrying in 5 s")]
    public static partial void EscalationFailed(ILogger logger, EscalationLevel level, string exchangeId, Exception exception);
}
