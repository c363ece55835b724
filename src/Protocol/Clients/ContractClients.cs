using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Contract;
using AntiFraud.Exchange.Protocol.Health;
using AntiFraud.Exchange.Protocol.Wire.Client;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>Typed client of the Exchange service (police centres).</summary>
public sealed class ExchangeClient(GrpcChannel channel)
{
    public AsyncUnaryCall<SubmitResponse> SubmitAsync(SubmitRequest request, CallOptions options = default)
        => channel.UnaryCall(ExchangeMethods.Submit, request, options);

    public AsyncUnaryCall<ExchangeRecord> GetAsync(GetExchangeRequest request, CallOptions options = default)
        => channel.UnaryCall(ExchangeMethods.Get, request, options);

    public AsyncUnaryCall<ExchangeRecord> CancelAsync(CancelExchangeRequest request, CallOptions options = default)
        => channel.UnaryCall(ExchangeMethods.Cancel, request, options);

    public AsyncUnaryCall<CaseView> GetCaseAsync(GetCaseRequest request, CallOptions options = default)
        => channel.UnaryCall(ExchangeMethods.GetCase, request, options);

    public AsyncServerStreamingCall<WatchEvent> Watch(WatchRequest request, CallOptions options = default)
        => channel.ServerStreamingCall(ExchangeMethods.Watch, request, options);
}

/// <summary>Typed client of the Inbox service (banks and carriers).</summary>
public sealed class InboxClient(GrpcChannel channel)
{
    public AsyncServerStreamingCall<InboxItem> Subscribe(SubscribeRequest request, CallOptions options = default)
        => channel.ServerStreamingCall(InboxMethods.Subscribe, request, options);

    public AsyncUnaryCall<AckResponse> AckAsync(AckRequest request, CallOptions options = default)
        => channel.UnaryCall(InboxMethods.Ack, request, options);

    public AsyncUnaryCall<RespondResponse> RespondAsync(RespondRequest request, CallOptions options = default)
        => channel.UnaryCall(InboxMethods.Respond, request, options);
}

/// <summary>Typed client of the Audit service.</summary>
public sealed class AuditClient(GrpcChannel channel)
{
    public AsyncUnaryCall<Checkpoint> GetCheckpointAsync(GetCheckpointRequest request, CallOptions options = default)
        => channel.UnaryCall(AuditMethods.GetCheckpoint, request, options);

    public AsyncUnaryCall<InclusionProof> GetInclusionProofAsync(GetInclusionProofRequest request, CallOptions options = default)
        => channel.UnaryCall(AuditMethods.GetInclusionProof, request, options);

    public AsyncUnaryCall<ConsistencyProof> GetConsistencyProofAsync(GetConsistencyProofRequest request, CallOptions options = default)
        => channel.UnaryCall(AuditMethods.GetConsistencyProof, request, options);

    public AsyncUnaryCall<AuditQueryResponse> QueryAsync(AuditQueryRequest request, CallOptions options = default)
        => channel.UnaryCall(AuditMethods.Query, request, options);

    public AsyncServerStreamingCall<AuditEntry> Export(ExportLogRequest request, CallOptions options = default)
        => channel.ServerStreamingCall(AuditMethods.Export, request, options);
}

/// <summary>Typed client of the Operations service.</summary>
public sealed class OperationsClient(GrpcChannel channel)
{
    public AsyncUnaryCall<ComplianceReport> GetComplianceAsync(GetComplianceRequest request, CallOptions options = default)
        => channel.UnaryCall(OperationsMethods.GetCompliance, request, options);

    public AsyncUnaryCall<PartnerList> ListPartnersAsync(ListPartnersRequest request, CallOptions options = default)
        => channel.UnaryCall(OperationsMethods.ListPartners, request, options);
}

/// <summary>Typed client of grpc.health.v1.Health.</summary>
public sealed class HealthClient(GrpcChannel channel)
{
    public AsyncUnaryCall<HealthCheckResponse> CheckAsync(HealthCheckRequest request, CallOptions options = default)
        => channel.UnaryCall(HealthMethods.Check, request, options);

    public AsyncServerStreamingCall<HealthCheckResponse> Watch(HealthCheckRequest request, CallOptions options = default)
        => channel.ServerStreamingCall(HealthMethods.Watch, request, options);
}
