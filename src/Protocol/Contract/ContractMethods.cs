using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Wire;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Protocol.Contract;

/// <summary>antifraud.exchange.v1.Exchange, used by police centres.</summary>
public static class ExchangeMethods
{
    public const string ServiceName = "antifraud.exchange.v1.Exchange";

    public static ServiceDescriptor Descriptor => ExchangeReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Exchange");

    public static readonly Method<SubmitRequest, SubmitResponse> Submit = new(MethodType.Unary, ServiceName, "Submit");
    public static readonly Method<GetExchangeRequest, ExchangeRecord> Get = new(MethodType.Unary, ServiceName, "Get");
    public static readonly Method<CancelExchangeRequest, ExchangeRecord> Cancel = new(MethodType.Unary, ServiceName, "Cancel");
    public static readonly Method<GetCaseRequest, CaseView> GetCase = new(MethodType.Unary, ServiceName, "GetCase");
    public static readonly Method<WatchRequest, WatchEvent> Watch = new(MethodType.ServerStreaming, ServiceName, "Watch");
}

/// <summary>antifraud.exchange.v1.Inbox, used by banks and carriers.</summary>
public static class InboxMethods
{
    public const string ServiceName = "antifraud.exchange.v1.Inbox";

    public static ServiceDescriptor Descriptor => InboxReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Inbox");

    public static readonly Method<SubscribeRequest, InboxItem> Subscribe = new(MethodType.ServerStreaming, ServiceName, "Subscribe");
    public static readonly Method<AckRequest, AckResponse> Ack = new(MethodType.Unary, ServiceName, "Ack");
    public static readonly Method<RespondRequest, RespondResponse> Respond = new(MethodType.Unary, ServiceName, "Respond");
}

/// <summary>antifraud.exchange.v1.Audit.</summary>
public static class AuditMethods
{
    public const string ServiceName = "antifraud.exchange.v1.Audit";

    public static ServiceDescriptor Descriptor => AuditReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Audit");

    public static readonly Method<GetCheckpointRequest, Checkpoint> GetCheckpoint = new(MethodType.Unary, ServiceName, "GetCheckpoint");
    public static readonly Method<GetInclusionProofRequest, InclusionProof> GetInclusionProof = new(MethodType.Unary, ServiceName, "GetInclusionProof");
    public static readonly Method<GetConsistencyProofRequest, ConsistencyProof> GetConsistencyProof = new(MethodType.Unary, ServiceName, "GetConsistencyProof");
    public static readonly Method<AuditQueryRequest, AuditQueryResponse> Query = new(MethodType.Unary, ServiceName, "Query");
    public static readonly Method<ExportLogRequest, AuditEntry> Export = new(MethodType.ServerStreaming, ServiceName, "Export");
}

/// <summary>antifraud.exchange.v1.Operations.</summary>
public static class OperationsMethods
{
    public const string ServiceName = "antifraud.exchange.v1.Operations";

    public static ServiceDescriptor Descriptor => OperationsReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Operations");

    public static readonly Method<GetComplianceRequest, ComplianceReport> GetCompliance = new(MethodType.Unary, ServiceName, "GetCompliance");
    public static readonly Method<ListPartnersRequest, PartnerList> ListPartners = new(MethodType.Unary, ServiceName, "ListPartners");
}
