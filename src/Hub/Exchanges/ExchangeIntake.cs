using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Stores a new exchange (a police submission or a follow-up hold), then queues it for its recipient,
/// tracks its deadline and publishes it to watchers. Durable before anything else sees it.
/// </summary>
internal sealed class ExchangeIntake(
    IExchangeStore store,
    InboxBroker broker,
    EventBus bus,
    DeadlineTracker deadlines,
    DeadlinePolicy policy,
    TimeProvider time,
    ILogger<ExchangeIntake> logger)
{
    /// <param name="exchangeId">The id to give it, when the caller planned one (an alert stores its instructions' ids first).</param>
    /// <param name="deadline">The deadline, when the caller planned one; else the policy's for the kind and priority.</param>
    public async Task<SubmitOutcome> AcceptAsync(PartnerIdentity submitter, SubmitRequest request, ExchangeRecord? parent,
        CancellationToken cancellationToken, string? exchangeId = null, DateTimeOffset? deadline = null)
    {
        var now = time.GetUtcNow();
        deadline ??= now + policy.Current.DeadlineFor(request.Request.KindCase, request.Priority);
        var record = new ExchangeRecord
        {
            ExchangeId = exchangeId ?? ExchangeIds.New(now),
            From = submitter.ToRef(),
            To = new PartnerRef { Kind = RequestValidator.RecipientKindFor(request.Request), Id = request.Recipient.Id },
            Priority = request.Priority,
            Case = request.Case,
            Request = request.Request,
            State = ExchangeState.Submitted,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Deadline = Timestamp.FromDateTimeOffset(deadline.Value),
            IdempotencyKey = request.IdempotencyKey,
            ParentExchangeId = parent?.ExchangeId ?? string.Empty,
            FollowDepth = parent is null ? 0 : parent.FollowDepth + 1,
        };
        if (request.Request.KindCase == Request.KindOneofCase.StopPayment && request.Request.StopPayment.RenewsExchangeId.Length == 0)
        {
            // The golden window is the case's: a follow-up hop inherits its parent's, the first stop-payment opens it.
            record.CaseWindowEndsAt = parent?.CaseWindowEndsAt ?? (parent?.Request?.KindCase == Request.KindOneofCase.StopPayment ? parent.Deadline : null)
                ?? record.Deadline;
        }

        var outcome = await store.SubmitAsync(record, ExchangeLifecycle.Submitted(record, now).Events, cancellationToken);
        if (!outcome.Duplicate)
        {
            broker.Enqueue(new PendingDelivery(record.ExchangeId, record.To.Id, record.Priority, outcome.QueueOrder));
            deadlines.Track(record);
            bus.Publish(submitter.Id, outcome.Events);
            ExchangeLog.Accepted(logger, record.ExchangeId, RequestValidator.KindName(record.Request.KindCase), record.Priority,
                submitter.Id,
                record.To.Id, record.Case.CaseNumber, deadline.Value);
        }

        return outcome;
    }
}
