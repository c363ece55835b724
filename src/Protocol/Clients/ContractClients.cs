using Grpc.Core;

namespace AntiFraud.Exchange.Protocol.Clients;

// The clients Grpc.Tools generates are nested in a class named after the service
// (AntiFraud.Exchange.Contract.V1.Exchange.ExchangeClient), and inside the AntiFraud.Exchange.*
// namespaces the name "Exchange" means the namespace. These names add nothing to the generated clients;
// they keep every call site short and unambiguous.

/// <summary>The generated client of antifraud.exchange.v1.Exchange (police centres).</summary>
public sealed class ExchangeClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.Exchange.ExchangeClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.Inbox (banks and carriers).</summary>
public sealed class InboxClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.Inbox.InboxClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.Alerts (early warning: raisers, police units).</summary>
public sealed class AlertsClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.Alerts.AlertsClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.RiskLists (city centres publish; banks and carriers screen).</summary>
public sealed class RiskListsClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.RiskLists.RiskListsClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.Audit.</summary>
public sealed class AuditClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.Audit.AuditClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.Operations.</summary>
public sealed class OperationsClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.Operations.OperationsClient(channel);

/// <summary>The generated client of grpc.health.v1.Health (from Grpc.HealthCheck).</summary>
public sealed class HealthClient(ChannelBase channel) : global::Grpc.Health.V1.Health.HealthClient(channel);

/// <summary>The generated client of antifraud.exchange.v1.BulkOrders (police send; the carrier or bank answers item by item).</summary>
public sealed class BulkOrdersClient(ChannelBase channel) : global::AntiFraud.Exchange.Contract.V1.BulkOrders.BulkOrdersClient(channel);
