using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>A police centre watching one exchange or a whole case: what is stored, then live, in sequence order.</summary>
internal sealed class WatchStreams(IExchangeStore store, ExchangeAccess access, EventBus bus)
{
    private const int PageSize = 500;

    /// <summary>Streams every event of the target from after_sequence on, then live; ends with the call, or UNAVAILABLE when the store is
    /// lost.</summary>
    public Task WatchAsync(PartnerIdentity caller, WatchRequest request, IAsyncStreamWriter<WatchEvent> stream,
        CancellationToken cancellationToken) =>
        access.WhileStoreHoldsAsync(token => WatchCoreAsync(caller, request, stream, token), cancellationToken);

    private async Task WatchCoreAsync(PartnerIdentity caller, WatchRequest request, IAsyncStreamWriter<WatchEvent> stream,
        CancellationToken cancellationToken)
    {
        WatchTarget target;
        switch (request.TargetCase)
        {
            case WatchRequest.TargetOneofCase.ExchangeId:
                await access.OwnAsync(caller, request.ExchangeId, cancellationToken);
                target = WatchTarget.Exchange(request.ExchangeId);
                break;
            case WatchRequest.TargetOneofCase.CaseNumber:
                await access.OwnCaseAsync(caller, request.CaseNumber, cancellationToken);
                target = WatchTarget.Case(caller.Id, request.CaseNumber);
                break;
            default:
                throw Refusal.InvalidArgument("target: set exchange_id or case_number.");
        }

        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/Watch", request.ExchangeId,
            request.CaseNumber), cancellationToken);

        // Subscribe first, then read what is stored. Live events only wake the stream: it always reads
        // the store from its last sequence on, so events reach the client in sequence order, without gaps,
        // even when concurrent commits (or another replica) publish them out of order; and a client that
        // resumes from the highest sequence it saw misses nothing.
        using var live = bus.Subscribe(target);
        var last = request.AfterSequence;
        while (true)
        {
            while (true)
            {
                var page = await store.ReadEventsAsync(target, last, PageSize, cancellationToken);
                foreach (var e in page)
                {
                    await stream.WriteAsync(access.ForSubmitter(caller, e), cancellationToken);
                    last = e.Sequence;
                }

                if (page.Count < PageSize)
                {
                    break;
                }
            }

            // The subscription keeps one pending wake-up (a stream that never reads holds no backlog) and the
            // highest sequence notified; the store is read again only when something newer was committed.
            while (live.Highest <= last)
            {
                if (!await live.Reader.WaitToReadAsync(cancellationToken))
                {
                    return;
                }

                while (live.Reader.TryRead(out _))
                {
                }
            }
        }
    }
}
