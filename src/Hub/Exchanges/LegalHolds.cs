using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Legal holds: the police centre that opened a case places or releases one, with a reason. While held, the retention purge erases
/// nothing of the case. Each change is a LEGAL_HOLD audit entry (the reason only as its salted commitment); GetCase shows the hold.
/// </summary>
internal sealed class LegalHolds(ExchangeAccess access, IRetentionStore store, TimeProvider time)
{
    public async Task<LegalHold> SetAsync(PartnerIdentity caller, SetLegalHoldRequest request, CancellationToken cancellationToken)
    {
        if (request.CaseNumber.Length == 0)
        {
            throw Refusal.InvalidArgument("case_number: is required.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw Refusal.InvalidArgument("reason: is required (a court order, an open investigation); it is stored sealed and audited.");
        }

        await access.OwnCaseAsync(caller, request.CaseNumber, cancellationToken);
        var hold = new LegalHold
        {
            CaseNumber = request.CaseNumber,
            Held = request.Hold,
            Reason = request.Reason,
            SetBy = caller.ToRef(),
            At = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };
        await store.SetLegalHoldAsync(caller.Id, request.CaseNumber, request.Hold ? hold : null, cancellationToken);
        hold.Receipt = await access.AuditAsync(new AuditEvent(AuditEventKind.LegalHold, caller.ToRef(),
            request.Hold ? "legal hold placed: the retention purge keeps this case" : "legal hold released: the retention policy applies again",
            null, request.CaseNumber, null, request), cancellationToken);
        return access.ForSubmitter(caller, hold);
    }
}
