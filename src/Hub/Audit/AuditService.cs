using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Protocol.Contract;
using AntiFraud.Exchange.Protocol.Transparency;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>antifraud.exchange.v1.Audit: checkpoints and proofs for anyone holding a receipt; queries and export for auditors.</summary>
internal sealed class AuditService(AuditLog log) : IGrpcService
{
    public ServiceDescriptor Descriptor => AuditMethods.Descriptor;

    public void Bind(ServiceBinder binder) => binder
        .Unary(AuditMethods.GetCheckpoint, (r, _) => Task.FromResult(Checkpoint(r.Fresh)))
        .Unary(AuditMethods.GetInclusionProof, (r, _) => Task.FromResult(Inclusion(r)))
        .Unary(AuditMethods.GetConsistencyProof, (r, _) => Task.FromResult(Consistency(r)))
        .Unary(AuditMethods.Query, QueryAsync)
        .ServerStreaming(AuditMethods.Export, ExportAsync);

    private Checkpoint Checkpoint(bool fresh)
    {
        var note = (fresh ? null : log.LatestCheckpoint()) ?? log.SignCheckpoint();
        return ToMessage(note);
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
            throw new RpcException(StatusCode.FailedPrecondition,
                $"log_origin: this replica keeps the log '{log.Origin}', not '{origin}'; ask the replica whose checkpoints carry that origin.");
        }
    }

    private InclusionProof Inclusion(GetInclusionProofRequest request)
    {
        RequireThisLog(request.LogOrigin);
        var size = request.TreeSize > 0 ? (long)request.TreeSize : (long)Checkpoint(false).TreeSize;
        if (size > log.Size)
        {
            throw new RpcException(StatusCode.OutOfRange, $"tree_size: the log holds {log.Size} entries, not {size}.");
        }

        if ((long)request.LeafIndex >= size)
        {
            throw new RpcException(StatusCode.OutOfRange,
                $"leaf_index: {request.LeafIndex} is not in a tree of size {size}; ask for a fresh checkpoint (GetCheckpoint fresh=true) and prove against it.");
        }

        var (proof, leaf) = log.InclusionProof((long)request.LeafIndex, size);
        var reply = new InclusionProof { LeafIndex = request.LeafIndex, TreeSize = (ulong)size, LeafHash = ByteString.CopyFrom(leaf) };
        reply.Hashes.AddRange(proof.Select(ByteString.CopyFrom));
        return reply;
    }

    private ConsistencyProof Consistency(GetConsistencyProofRequest request)
    {
        RequireThisLog(request.LogOrigin);
        if (request.FirstSize > request.SecondSize || (long)request.SecondSize > log.Size)
        {
            throw new RpcException(StatusCode.OutOfRange,
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
            throw new RpcException(StatusCode.InvalidArgument, "page_token: not a token this service issued.");
        }

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
                response.Entries.Add(entry);
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

        await log.RecordAsync(new AuditEvent(AuditEventKind.Accessed, context.Caller().ToRef(), $"Audit/Query {response.Entries.Count} entries"), context.CancellationToken);
        return response;
    }

    private async Task ExportAsync(ExportLogRequest request, IAsyncStreamWriter<AuditEntry> stream, ServerCallContext context)
    {
        var end = request.EndIndex > 0 ? (long)request.EndIndex : log.Size;
        foreach (var entry in log.Read((long)request.StartIndex, end))
        {
            await stream.WriteAsync(entry, context.CancellationToken);
        }
    }
}

/// <summary>Signs a checkpoint at a regular interval when the log has grown, so partners always find a recent one.</summary>
internal sealed class AuditCheckpointer(AuditLog log, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signed = -1L;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (log.Size != signed)
            {
                signed = log.Size;
                log.SignCheckpoint();
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
