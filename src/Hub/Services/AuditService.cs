using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

/// <summary>
/// antifraud.exchange.v1.Audit: checkpoints and proofs for anyone holding a receipt; queries and export
/// for auditors, through the same masking as every other read.
/// </summary>
internal sealed class AuditService(AuditLog log, IDeliveryMasker masker, FreshCheckpointLimit freshLimit, Disclosures disclosures)
    : Contract.V1.Audit.AuditBase
{
    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<CommitmentOpening> OpenCommitment(OpenCommitmentRequest request, ServerCallContext context) =>
        disclosures.OpenAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<CommitmentOpenings> OpenExchangeCommitments(OpenExchangeCommitmentsRequest request, ServerCallContext context) =>
        disclosures.OpenExchangeAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Auditors)]
    public override Task<Disclosure> RequestDisclosure(RequestDisclosureRequest request, ServerCallContext context) =>
        disclosures.RequestAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Auditors)]
    public override Task<Disclosure> DecideDisclosure(DecideDisclosureRequest request, ServerCallContext context) =>
        disclosures.DecideAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.Auditors)]
    public override Task<Disclosure> Disclose(DiscloseRequest request, ServerCallContext context) =>
        disclosures.DiscloseAsync(context.Caller(), request, context.CancellationToken);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<DisclosureList> ListDisclosures(ListDisclosuresRequest request, ServerCallContext context) =>
        disclosures.ListAsync(context.Caller(), context.CancellationToken);

    /// <summary>Indices and sizes above this cannot be in any log (they do not fit a signed 64-bit count).</summary>
    private const ulong MaxIndex = long.MaxValue;

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<Checkpoint> GetCheckpoint(GetCheckpointRequest request, ServerCallContext context) =>
        CheckpointAsync(request.Fresh, context);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<InclusionProof> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context) =>
        InclusionAsync(request, context);

    [Authorize(Policy = HubPolicies.ReceiptHolders)]
    public override Task<ConsistencyProof> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context) =>
        Task.FromResult(Consistency(request));

    [Authorize(Policy = HubPolicies.Auditors)]
    public override Task<AuditQueryResponse> Query(AuditQueryRequest request, ServerCallContext context) => QueryAsync(request, context);

    [Authorize(Policy = HubPolicies.Auditors)]
    public override Task Export(ExportLogRequest request, IServerStreamWriter<AuditEntry> responseStream, ServerCallContext context) =>
        ExportAsync(request, responseStream, context);

    /// <summary>
    /// The newest signed checkpoint; with fresh, one covering every receipt given before the call. Fresh
    /// requests are signed by the log's appender (requests arriving together share one signature) and
    /// limited per partner, so no caller can make the hub sign without bound.
    /// </summary>
    private async Task<Checkpoint> CheckpointAsync(bool fresh, ServerCallContext context)
    {
        if (fresh && !freshLimit.TryTake(context.Caller().Id))
        {
            throw Refusal.ResourceExhausted(
                $"fresh: at most {FreshCheckpointLimit.PerSecond} fresh checkpoints per second per partner; ask again shortly, or without fresh.");
        }

        try
        {
            var note = !fresh && log.LatestCheckpoint() is { } latest ? latest : await log.CheckpointAsync(context.CancellationToken);
            return ToMessage(note);
        }
        catch (StoreUnavailableException ex)
        {
            throw new StoreUnavailableException(ex.Message + " Retry shortly.", ex);
        }
    }

    private static void RequireIndex(ulong value, string field)
    {
        if (value > MaxIndex)
        {
            throw Refusal.InvalidArgument($"{field}: {value} is larger than any log can be (at most 2^63-1).");
        }
    }

    private Checkpoint ToMessage(string note)
    {
        var body = SignedCheckpoint.Verify(note, log.Origin, SigningKey);
        return new Checkpoint
        {
            Origin = body.Origin,
            TreeSize = (ulong)body.Size,
            RootHash = ByteString.CopyFrom(body.RootHash),
            IssuedAt = body.Time is { } t ? Timestamp.FromDateTimeOffset(t) : null,
            SignedNote = note,
        };
    }

    private System.Security.Cryptography.ECDsa SigningKey => log.PublicKey;

    /// <summary>Each replica keeps its own log: a proof asked of the wrong one says which to ask.</summary>
    private void RequireThisLog(string origin)
    {
        if (origin.Length > 0 && origin != log.Origin)
        {
            throw Refusal.FailedPrecondition(
                $"log_origin: this replica keeps the log '{log.Origin}', not '{origin}'; ask the replica whose checkpoints carry that origin.");
        }
    }

    private async Task<InclusionProof> InclusionAsync(GetInclusionProofRequest request, ServerCallContext context)
    {
        RequireIndex(request.LeafIndex, "leaf_index");
        RequireIndex(request.TreeSize, "tree_size");
        RequireThisLog(request.LogOrigin);
        var size = request.TreeSize > 0 ? (long)request.TreeSize : (long)(await CheckpointAsync(false, context)).TreeSize;
        if (size > log.Size)
        {
            throw Refusal.OutOfRange($"tree_size: the log holds {log.Size} entries, not {size}.");
        }

        if ((long)request.LeafIndex >= size)
        {
            throw Refusal.OutOfRange(
                $"leaf_index: {request.LeafIndex} is not in a tree of size {size}; ask for a fresh checkpoint (GetCheckpoint fresh=true) and prove against it.");
        }

        var (proof, leaf) = log.InclusionProof((long)request.LeafIndex, size);
        var reply = new InclusionProof { LeafIndex = request.LeafIndex, TreeSize = (ulong)size, LeafHash = ByteString.CopyFrom(leaf) };
        reply.Hashes.AddRange(proof.Select(ByteString.CopyFrom));
        return reply;
    }

    private ConsistencyProof Consistency(GetConsistencyProofRequest request)
    {
        RequireIndex(request.FirstSize, "first_size");
        RequireIndex(request.SecondSize, "second_size");
        RequireThisLog(request.LogOrigin);
        if (request.FirstSize > request.SecondSize || (long)request.SecondSize > log.Size)
        {
            throw Refusal.OutOfRange(
                $"first_size and second_size must satisfy first <= second <= {log.Size} (got {request.FirstSize}, {request.SecondSize}).");
        }

        var reply = new ConsistencyProof { FirstSize = request.FirstSize, SecondSize = request.SecondSize };
        reply.Hashes.AddRange(log.ConsistencyProof((long)request.FirstSize, (long)request.SecondSize).Select(ByteString.CopyFrom));
        return reply;
    }

    private async Task<AuditQueryResponse> QueryAsync(AuditQueryRequest request, ServerCallContext context)
    {
        var start = 0L;
        if (request.PageToken.Length > 0 && !long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw Refusal.InvalidArgument("page_token: not a token this service issued.");
        }

        var caller = context.Caller();

        var pageSize = request.PageSize is > 0 and <= 1000 ? (int)request.PageSize : 100;
        var kinds = request.Kinds.ToHashSet();
        var from = request.From?.ToDateTimeOffset();
        var to = request.To?.ToDateTimeOffset();
        var response = new AuditQueryResponse();
        var end = log.Size;
        var position = start;
        foreach (var entry in log.Read(start, end))
        {
            position = (long)entry.Index + 1;
            var at = entry.At.ToDateTimeOffset();
            var matches = (request.CaseNumber.Length == 0 || entry.CaseNumber == request.CaseNumber)
                && (request.ExchangeId.Length == 0 || entry.ExchangeId == request.ExchangeId)
                && (request.PartnerId.Length == 0 || entry.Actor?.Id == request.PartnerId || entry.Subject?.Id == request.PartnerId)
                && (kinds.Count == 0 || kinds.Contains(entry.Kind))
                && (from is null || at >= from) && (to is null || at < to);
            if (matches)
            {
                response.Entries.Add(ForAuditor(caller, entry));
                if (response.Entries.Count == pageSize)
                {
                    break;
                }
            }
        }

        if (position < end && response.Entries.Count == pageSize)
        {
            response.NextPageToken = position.ToString(CultureInfo.InvariantCulture);
        }

        await log.RecordAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), $"Audit/Query {response.Entries.Count} entries"),
            context.CancellationToken);
        return response;
    }

    private async Task ExportAsync(ExportLogRequest request, IServerStreamWriter<AuditEntry> stream, ServerCallContext context)
    {
        RequireIndex(request.StartIndex, "start_index");
        RequireIndex(request.EndIndex, "end_index");
        var size = log.Size;
        var end = request.EndIndex > 0 ? Math.Min((long)request.EndIndex, size) : size;
        if (request.EndIndex > 0 && request.StartIndex > request.EndIndex)
        {
            throw Refusal.InvalidArgument($"start_index: {request.StartIndex} is after end_index {request.EndIndex}.");
        }

        if ((long)request.StartIndex > size)
        {
            throw Refusal.OutOfRange($"start_index: the log holds {size} entries; start at most there.");
        }

        var caller = context.Caller();
        await log.RecordAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Audit/Export"), context.CancellationToken);
        foreach (var entry in log.Read((long)request.StartIndex, end))
        {
            await stream.WriteAsync(ForAuditor(caller, entry));
        }
    }

    /// <summary>Entries leave through the masking engine like every other read (an entry holds no clear personal data by
    /// construction).</summary>
    private AuditEntry ForAuditor(PartnerIdentity caller, AuditEntry entry) =>
        masker.Mask(entry, new MaskingContext(caller, LegalBasis.Unspecified, Request.KindOneofCase.None, false)).Message;
}
