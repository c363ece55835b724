using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Compliance;

/// <summary>
/// Authorised disclosure. Break-glass: an auditor asks to see one exchange in clear, with a reason; a second auditor approves or
/// refuses; only then does the requester get the unmasked record. Every step is a DISCLOSURE audit entry, one per owner (the
/// exchange's submitter and recipient, as its subject), and the owners list the disclosures of their data. Opening commitments:
/// the party who sent an entry's body (its actor), or for a delivery the recipient who got exactly that body, or an auditor with
/// an approved disclosure of the entry's exchange, gets the salt and the body with the inclusion proof, to check offline.
/// </summary>
internal sealed class Disclosures(IEvidenceStore evidence, IExchangeStore exchanges, AuditLog log, IAuditSink audit, TimeProvider time)
{
    /// <summary>ListDisclosures returns at most this many, newest first.</summary>
    public const int MaxListed = 1000;

    /// <summary>OpenExchangeCommitments carries at most this many bytes of bodies; the rest are named in <c>remaining</c>.</summary>
    public const int MaxOpeningBytes = 2 << 20;

    /// <summary>Pending requests one auditor may have open: an auditor cannot fill the store with requests nobody decides.</summary>
    public const int MaxPendingPerAuditor = 50;

    public async Task<Disclosure> RequestAsync(PartnerIdentity caller, RequestDisclosureRequest request, CancellationToken cancellationToken)
    {
        if (request.ExchangeId.Length == 0)
        {
            throw Refusal.InvalidArgument("exchange_id: is required.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw Refusal.InvalidArgument("reason: is required (the court order or legal instrument); it is stored sealed and audited.");
        }

        var record = await exchanges.GetAsync(request.ExchangeId, cancellationToken)
            ?? throw Refusal.NotFound($"exchange_id: exchange '{request.ExchangeId}' does not exist.");
        var pending = (await evidence.ListDisclosuresAsync(MaxListed, cancellationToken))
            .Count(d => d.State == DisclosureState.Pending && d.RequestedBy.Id == caller.Id);
        if (pending >= MaxPendingPerAuditor)
        {
            throw Refusal.ResourceExhausted($"'{caller.Id}' has {pending} disclosure requests waiting for a second auditor (at most "
                + $"{MaxPendingPerAuditor}); have them decided first.");
        }

        var disclosure = new Disclosure
        {
            DisclosureId = "dis-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ExchangeId = record.ExchangeId,
            CaseNumber = record.Case.CaseNumber,
            State = DisclosureState.Pending,
            RequestedBy = caller.ToRef(),
            Reason = request.Reason,
            RequestedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };
        disclosure.Owners.Add(record.From);
        disclosure.Owners.Add(record.To);
        await evidence.PutDisclosureAsync(disclosure, cancellationToken);
        disclosure.Receipt = await RecordAsync(disclosure, caller,
            $"disclosure {disclosure.DisclosureId} requested: the exchange in clear, waiting for a second auditor", request, cancellationToken);
        return disclosure;
    }

    public async Task<Disclosure> DecideAsync(PartnerIdentity caller, DecideDisclosureRequest request, CancellationToken cancellationToken)
    {
        var disclosure = await FindAsync(request.DisclosureId, cancellationToken);
        if (disclosure.RequestedBy.Id == caller.Id)
        {
            throw Refusal.PermissionDenied(
                $"disclosure_id: {disclosure.DisclosureId} was requested by '{caller.Id}'; a second auditor must decide it.");
        }

        if (disclosure.State != DisclosureState.Pending)
        {
            throw Refusal.FailedPrecondition($"disclosure_id: {disclosure.DisclosureId} was already {Said(disclosure.State)} by "
                + $"'{disclosure.DecidedBy?.Id}'.");
        }

        disclosure.State = request.Approve ? DisclosureState.Approved : DisclosureState.Refused;
        disclosure.DecidedBy = caller.ToRef();
        disclosure.DecidedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        disclosure.Note = request.Note;
        await evidence.PutDisclosureAsync(disclosure, cancellationToken);
        disclosure.Receipt = await RecordAsync(disclosure, caller,
            $"disclosure {disclosure.DisclosureId} {Said(disclosure.State)} for '{disclosure.RequestedBy.Id}'", request, cancellationToken);
        return disclosure;
    }

    public async Task<Disclosure> DiscloseAsync(PartnerIdentity caller, DiscloseRequest request, CancellationToken cancellationToken)
    {
        var disclosure = await ApprovedForAsync(caller, request.DisclosureId, cancellationToken);
        var record = await exchanges.GetAsync(disclosure.ExchangeId, cancellationToken)
            ?? throw Refusal.NotFound($"exchange '{disclosure.ExchangeId}' no longer exists.");
        disclosure.Receipt = await RecordAsync(disclosure, caller,
            $"disclosure {disclosure.DisclosureId}: the exchange was disclosed in clear to '{caller.Id}'", null, cancellationToken);
        disclosure.Record = record;
        return disclosure;
    }

    /// <summary>Auditors see every disclosure; a partner those of its own data.</summary>
    public async Task<DisclosureList> ListAsync(PartnerIdentity caller, CancellationToken cancellationToken)
    {
        var all = await evidence.ListDisclosuresAsync(MaxListed, cancellationToken);
        var list = new DisclosureList();
        list.Disclosures.AddRange(caller.Kind == PartnerKind.Auditor ? all : all.Where(d => d.Owners.Any(o => o.Id == caller.Id)));
        return list;
    }

    public async Task<CommitmentOpening> OpenAsync(PartnerIdentity caller, OpenCommitmentRequest request, CancellationToken cancellationToken)
    {
        if (request.LogOrigin.Length > 0 && request.LogOrigin != log.Origin)
        {
            throw Refusal.FailedPrecondition(
                $"log_origin: this replica keeps the log '{log.Origin}', not '{request.LogOrigin}'; ask the replica whose checkpoints carry that origin.");
        }

        var (note, size) = await CoveringAsync((long)Math.Min(request.LeafIndex, long.MaxValue - 1), cancellationToken);
        if (request.LeafIndex >= (ulong)size)
        {
            throw Refusal.OutOfRange($"leaf_index: {request.LeafIndex} is not in the log (it holds {size} entries).");
        }

        var index = (long)request.LeafIndex;
        var entry = log.Read(index, index + 1).Single();
        var approved = request.DisclosureId.Length > 0 ? (await ApprovedForAsync(caller, request.DisclosureId, cancellationToken)).ExchangeId : null;
        if (!MayOpen(entry, caller, approved))
        {
            throw Refusal.PermissionDenied($"leaf_index: entry {index} was neither sent by '{caller.Id}' nor delivered to it; an auditor "
                + "needs an approved disclosure of its exchange (disclosure_id).");
        }

        var kept = await evidence.GetBodyAsync(log.Origin, index, cancellationToken);
        var body = kept is not null && Opens(entry, kept) ? kept
            : throw Refusal.NotFound($"leaf_index: no body is kept for entry {index}: it commits to none, it was written before bodies "
                + "were kept, or the retention policy erased it.");
        await audit.RecordAsync(new AuditEvent(AuditEventKind.Disclosure, caller.ToRef(), $"commitment of entry {index} opened",
            entry.ExchangeId.Length > 0 ? entry.ExchangeId : null, entry.CaseNumber.Length > 0 ? entry.CaseNumber : null, entry.Actor),
            cancellationToken);
        return Opening(entry, body, size, note);
    }

    /// <summary>Every entry of one exchange the caller may open, in log order.</summary>
    public async Task<CommitmentOpenings> OpenExchangeAsync(PartnerIdentity caller, OpenExchangeCommitmentsRequest request,
        CancellationToken cancellationToken)
    {
        if (request.ExchangeId.Length == 0)
        {
            throw Refusal.InvalidArgument("exchange_id: is required.");
        }

        var approved = request.DisclosureId.Length > 0 ? (await ApprovedForAsync(caller, request.DisclosureId, cancellationToken)).ExchangeId : null;
        if (approved is not null && approved != request.ExchangeId)
        {
            throw Refusal.PermissionDenied($"disclosure_id: {request.DisclosureId} discloses exchange '{approved}', not '{request.ExchangeId}'.");
        }

        var indexes = await evidence.BodiesOfAsync(log.Origin, request.ExchangeId, cancellationToken);
        if (indexes.Count == 0)
        {
            throw Refusal.NotFound($"exchange_id: this replica's log '{log.Origin}' keeps no committed body of exchange '{request.ExchangeId}' "
                + "(no such exchange here, or the retention policy erased them).");
        }

        var (note, size) = await CoveringAsync(indexes[^1], cancellationToken);
        var openings = new CommitmentOpenings();
        var bytes = 0L;
        var mayOpen = 0;
        foreach (var index in indexes.Where(i => i < size))
        {
            var entry = log.Read(index, index + 1).Single();
            if (entry.ExchangeId != request.ExchangeId || !MayOpen(entry, caller, approved))
            {
                continue;
            }

            mayOpen++;
            if (bytes >= MaxOpeningBytes)
            {
                openings.Remaining.Add((ulong)index);
            }
            else if (await evidence.GetBodyAsync(log.Origin, index, cancellationToken) is { } body && Opens(entry, body))
            {
                openings.Openings.Add(Opening(entry, body, size, note));
                bytes += body.Body.Length;
            }
        }

        if (openings.Openings.Count == 0 && mayOpen > 0)
        {
            throw Refusal.NotFound($"exchange_id: '{caller.Id}' may open {mayOpen} entries of '{request.ExchangeId}', but none has a body kept "
                + "(the retention policy erased them, or they were written before bodies were kept).");
        }

        if (openings.Openings.Count == 0)
        {
            throw Refusal.PermissionDenied($"exchange_id: none of the {indexes.Count} entries of '{request.ExchangeId}' was sent by "
                + $"'{caller.Id}' or delivered to it; an auditor needs an approved disclosure of the exchange (disclosure_id).");
        }

        await audit.RecordAsync(new AuditEvent(AuditEventKind.Disclosure, caller.ToRef(),
            $"{openings.Openings.Count} commitments of the exchange opened", request.ExchangeId, openings.Openings[0].Entry.CaseNumber),
            cancellationToken);
        return openings;
    }

    /// <summary>The sender of a body; the recipient of a delivery (it got exactly that body); an auditor with an approved disclosure of
    /// the entry's exchange.</summary>
    private static bool MayOpen(AuditEntry entry, PartnerIdentity caller, string? approvedExchange) =>
        entry.Actor?.Id == caller.Id
        || (entry.Kind == AuditEventKind.Delivered && entry.Subject?.Id == caller.Id)
        || (approvedExchange is not null && entry.ExchangeId.Length > 0 && entry.ExchangeId == approvedExchange);

    /// <summary>A body opens an entry's commitment only when it is the body the commitment was made of: the store and the log are
    /// restored from backups separately, and an index the log has reused may still hold the body its earlier entry had.</summary>
    private bool Opens(AuditEntry entry, CommittedBody body) =>
        entry.BodyCommitment.Length > 0 && CryptographicOperations.FixedTimeEquals(log.Commitment(body.Index, body.Body), entry.BodyCommitment.Span);

    /// <summary>The latest checkpoint when it covers the entry; a fresh one (signed with the next batch, shared) only when it does not.</summary>
    private async Task<(string Note, long Size)> CoveringAsync(long index, CancellationToken cancellationToken)
    {
        var note = log.LatestCheckpoint();
        var size = note is null ? -1 : Protocol.Transparency.SignedCheckpoint.Verify(note, log.Origin, log.PublicKeys).Size;
        if (size <= index)
        {
            note = await log.CheckpointAsync(cancellationToken);
            size = Protocol.Transparency.SignedCheckpoint.Verify(note, log.Origin, log.PublicKeys).Size;
        }

        return (note!, size);
    }

    private CommitmentOpening Opening(AuditEntry entry, CommittedBody body, long size, string note)
    {
        var (proof, leaf) = log.InclusionProof(body.Index, size);
        var opening = new CommitmentOpening
        {
            Entry = entry,
            Salt = ByteString.CopyFrom(body.Salt),
            Body = ByteString.CopyFrom(body.Body),
            BodyType = body.BodyType,
            Proof = new InclusionProof { LeafIndex = (ulong)body.Index, TreeSize = (ulong)size, LeafHash = ByteString.CopyFrom(leaf) },
            Checkpoint = new Checkpoint { Origin = log.Origin, TreeSize = (ulong)size, SignedNote = note },
        };
        opening.Proof.Hashes.AddRange(proof.Select(ByteString.CopyFrom));
        return opening;
    }

    private async Task<Disclosure> ApprovedForAsync(PartnerIdentity caller, string disclosureId, CancellationToken cancellationToken)
    {
        var disclosure = await FindAsync(disclosureId, cancellationToken);
        if (disclosure.RequestedBy.Id != caller.Id)
        {
            throw Refusal.PermissionDenied($"disclosure_id: {disclosure.DisclosureId} was requested by '{disclosure.RequestedBy.Id}', not by '{caller.Id}'.");
        }

        return disclosure.State == DisclosureState.Approved ? disclosure
            : throw Refusal.FailedPrecondition($"disclosure_id: {disclosure.DisclosureId} is {Said(disclosure.State)}; "
                + (disclosure.State == DisclosureState.Pending ? "a second auditor must approve it first." : "nothing is disclosed."));
    }

    private async Task<Disclosure> FindAsync(string disclosureId, CancellationToken cancellationToken)
    {
        if (disclosureId.Length == 0)
        {
            throw Refusal.InvalidArgument("disclosure_id: is required.");
        }

        return await evidence.GetDisclosureAsync(disclosureId, cancellationToken)
            ?? throw Refusal.NotFound($"disclosure_id: '{disclosureId}' does not exist.");
    }

    /// <summary>One entry per owner, with the owner as its subject, so each owner's share of the log shows the disclosure.</summary>
    private async Task<Receipt?> RecordAsync(Disclosure disclosure, PartnerIdentity caller, string detail, IMessage? body,
        CancellationToken cancellationToken)
    {
        Receipt? first = null;
        foreach (var owner in disclosure.Owners)
        {
            var receipt = await audit.RecordAsync(new AuditEvent(AuditEventKind.Disclosure, caller.ToRef(), detail, disclosure.ExchangeId,
                disclosure.CaseNumber, owner, body), cancellationToken);
            first ??= receipt;
        }

        return first;
    }

    private static string Said(DisclosureState state) => state switch
    {
        DisclosureState.Pending => "pending",
        DisclosureState.Approved => "approved",
        DisclosureState.Refused => "refused",
        _ => "unknown",
    };
}
