using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Protocol.Screening;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>
/// The RiskLists service's work. City centres publish and revoke entries in batches (each a new list version, audited);
/// banks and carriers download the screening set (PRF outputs and sealed details, never values), have blinded values
/// evaluated (rate-limited, audited), and report hits, which raise an early-warning alert to the unit owning the case.
/// </summary>
internal sealed class ListDesk(
    IListStore store,
    ListKey key,
    EvaluationBudget budget,
    EvaluationAudit evaluations,
    AlertDesk alerts,
    AlertRouting routing,
    ExchangeAccess access,
    HubListOptions options,
    TimeProvider time)
{
    /// <summary>The most changes one GetScreeningSet returns; a partner behind by more asks again from the version it got.</summary>
    public const int MaxChanges = 50_000;

    public const int MaxBlinded = 1000;

    public async Task<PublishEntriesResponse> PublishAsync(PartnerIdentity caller, PublishEntriesRequest request, CancellationToken cancellationToken)
    {
        if (!routing.MayPublishLists(caller.Id))
        {
            await access.DeniedAsync(caller, "RiskLists/Publish by a unit that is not a city centre", null, cancellationToken);
            throw Refusal.PermissionDenied(
                $"RiskLists/Publish: only a city centre, or a unit the registry marks \"publishesLists\": true, publishes list entries; "
                + $"'{caller.Id}' is neither.");
        }

        RequestValidator.Require(request.IdempotencyKey.Length is > 0 and <= 128, "idempotency_key", "is required (1-128 characters)");
        RequestValidator.Require(request.Add.Count + request.Revoke.Count > 0, "add", "or revoke must name at least one entry");
        var now = time.GetUtcNow();
        var stored = new List<StoredListEntry>(request.Add.Count);
        for (var i = 0; i < request.Add.Count; i++)
        {
            stored.Add(Prepare(caller, request.Add[i], $"add[{i}]", now));
        }

        var published = await store.PublishAsync(caller.Id, request.IdempotencyKey, stored, request.Revoke, now, cancellationToken);
        var receipt = published.Duplicate ? null : await access.AuditAsync(new AuditEvent(AuditEventKind.ListChanged, caller.ToRef(),
            $"{published.Added.Count} added, {published.Revoked} revoked; list version {published.Version}", null, null, null, request),
            cancellationToken);
        var response = new PublishEntriesResponse
        {
            Version = published.Version,
            Revoked = (uint)published.Revoked,
            Duplicate = published.Duplicate,
            Receipt = receipt,
        };
        response.AddedEntryIds.AddRange(published.Added);
        return response;
    }

    private StoredListEntry Prepare(PartnerIdentity caller, ListEntry entry, string at, DateTimeOffset now)
    {
        RequestValidator.Require(entry.Kind is > ListKind.Unspecified and <= ListKind.Merchant, at + ".kind",
            "must be ACCOUNT, PHONE, DOMAIN, IMEI or MERCHANT");
        var value = ListValues.Normalize(entry.Kind, entry.Value);
        RequestValidator.Require(value is not null, at + ".value", $"is not a valid {entry.Kind.ToString().ToLowerInvariant()} "
            + "(accounts as BANK:NUMBER, phones in E.164, IMEIs of 14-15 digits)");
        RequestValidator.Require(entry.Case is { CaseNumber.Length: > 0 } && entry.Case.LegalBasis != LegalBasis.Unspecified, at + ".case",
            "needs a case number and a legal basis");
        RequestValidator.Require(entry.Confidence is >= 0 and <= 1, at + ".confidence", "must be between 0 and 1");
        var max = TimeSpan.FromDays(options.MaxEntryDays);
        RequestValidator.Require(entry.ExpiresAt is not null && entry.ExpiresAt.ToDateTimeOffset() > now
            && entry.ExpiresAt.ToDateTimeOffset() <= now + max, at + ".expires_at", $"is required, in the future and at most {options.MaxEntryDays} days ahead");
        var listed = entry.Clone();
        listed.EntryId = "le-" + Guid.CreateVersion7(now).ToString("N");
        listed.Value = value!;
        listed.Owner = caller.ToRef();
        listed.PublishedAt = Timestamp.FromDateTimeOffset(now);
        listed.RevokedAt = null;
        if (listed.Action == ListAction.Unspecified)
        {
            listed.Action = entry.Kind switch
            {
                ListKind.Account or ListKind.Merchant => ListAction.HoldTransfer,
                ListKind.Phone => ListAction.BlockCall,
                _ => ListAction.Review,
            };
        }

        var output = Oprf.Direct(key.Key, listed.Kind, listed.Value);
        var details = new ScreeningDetails
        {
            EntryId = listed.EntryId,
            CaseNumber = listed.Case.CaseNumber,
            LegalBasis = listed.Case.LegalBasis,
            Action = listed.Action,
            Confidence = listed.Confidence,
            ExpiresAt = listed.ExpiresAt,
            Owner = listed.Owner,
        };
        return new StoredListEntry(listed, output, Oprf.Seal(output, details.ToByteArray()));
    }

    public async Task<ScreeningSet> GetScreeningSetAsync(PartnerIdentity caller, GetScreeningSetRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Require(request.Kind is > ListKind.Unspecified and <= ListKind.Merchant, "kind", "must be ACCOUNT, PHONE, DOMAIN, IMEI or MERCHANT");
        var (changes, version) = await store.ChangesAsync(request.Kind, request.AfterVersion, MaxChanges, cancellationToken);
        var set = new ScreeningSet { Kind = request.Kind, Version = version, PublicKey = ByteString.CopyFrom(key.PublicKey) };
        set.Entries.AddRange(changes.Select(c => new ScreeningEntry
        {
            Output = ByteString.CopyFrom(c.Output),
            Sealed = ByteString.CopyFrom(c.Sealed),
            Removed = c.Removed,
        }));
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(),
            $"RiskLists/GetScreeningSet {request.Kind}: versions {request.AfterVersion}-{version}, {changes.Count} changes"), cancellationToken);
        return set;
    }

    public async Task<EvaluateResponse> EvaluateAsync(PartnerIdentity caller, EvaluateRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Require(request.Kind is > ListKind.Unspecified and <= ListKind.Merchant, "kind", "must be ACCOUNT, PHONE, DOMAIN, IMEI or MERCHANT");
        RequestValidator.Require(request.Blinded.Count is > 0 and <= MaxBlinded, "blinded", $"must hold 1 to {MaxBlinded} elements");
        if (!budget.TryTake(caller.Id, request.Blinded.Count, out var left, out var retry))
        {
            await access.DeniedAsync(caller, "RiskLists/Evaluate over its budget", null, cancellationToken);
            throw Refusal.ResourceExhausted($"blinded: {request.Blinded.Count} evaluations asked, {left} left of "
                + $"{options.EvaluationsPerMinute} per minute; retry in {Math.Ceiling(retry.TotalSeconds)} s.");
        }

        var response = new EvaluateResponse { BudgetLeft = (uint)left };
        for (var i = 0; i < request.Blinded.Count; i++)
        {
            try
            {
                response.Evaluated.Add(ByteString.CopyFrom(Oprf.Evaluate(key.Key, request.Blinded[i].Span)));
            }
            catch (CryptographicException e)
            {
                throw Refusal.InvalidArgument($"blinded[{i}]: {e.Message}.");
            }
        }

        // Only counts enter the log (blinded elements say nothing about the values), aggregated per second.
        await evaluations.RecordAsync(caller.ToRef(), request.Kind, request.Blinded.Count, cancellationToken);
        return response;
    }

    public async Task<ReportHitResponse> ReportHitAsync(PartnerIdentity caller, ReportHitRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Require(request.IdempotencyKey.Length is > 0 and <= 120, "idempotency_key", "is required (1-120 characters)");
        RequestValidator.Require(request.Outcome is > HitOutcome.Unspecified and <= HitOutcome.CustomerContacted, "outcome",
            "must be HELD, RELEASED or CUSTOMER_CONTACTED");
        var entry = request.EntryId.Length > 0 ? await store.GetAsync(request.EntryId, cancellationToken) : null;
        if (entry is null)
        {
            await access.DeniedAsync(caller, "RiskLists/ReportHit of an unknown entry", null, cancellationToken);
            throw Refusal.NotFound($"entry_id: {RequestValidator.Shown(request.EntryId)} is not a list entry (ids come from a hit's sealed details).");
        }

        var raised = await alerts.RaiseAsync(caller, new RaiseAlertRequest
        {
            IdempotencyKey = "hit:" + request.IdempotencyKey,
            Victim = request.Customer,
            Signal = new AlertSignal
            {
                SuggestedTier = entry.Action == ListAction.HoldTransfer ? Priority.High : Priority.Medium,
                Note = request.Note,
                ListHit = new ListHitSignal
                {
                    EntryId = entry.EntryId,
                    CaseNumber = entry.Case.CaseNumber,
                    ListKind = (uint)entry.Kind,
                    Outcome = (uint)request.Outcome,
                    Owner = entry.Owner,
                    Amount = request.Amount,
                },
            },
        }, cancellationToken, fromHub: true);
        return new ReportHitResponse { AlertId = raised.AlertId, Receipt = raised.Receipt };
    }
}
