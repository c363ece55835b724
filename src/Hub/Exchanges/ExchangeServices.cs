using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Protocol.Contract;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>antifraud.exchange.v1.Exchange: police centres submit, read, cancel and watch.</summary>
internal sealed class ExchangeService(ExchangeCoordinator core, PartnerStreams streams) : IGrpcService
{
    public ServiceDescriptor Descriptor => ExchangeMethods.Descriptor;

    public void Bind(ServiceBinder binder) => binder
        .Unary(ExchangeMethods.Submit, (r, c) => core.SubmitAsync(c.Caller(), RequestValidator.Bounded(r), c.CancellationToken))
        .Unary(ExchangeMethods.Get, (r, c) => core.GetAsync(c.Caller(), RequestValidator.Bounded(r).ExchangeId, c.CancellationToken))
        .Unary(ExchangeMethods.Cancel, (r, c) => core.CancelAsync(c.Caller(), RequestValidator.Bounded(r), c.CancellationToken))
        .Unary(ExchangeMethods.GetCase, (r, c) => core.GetCaseAsync(c.Caller(), RequestValidator.Bounded(r).CaseNumber, c.CancellationToken))
        .ServerStreaming(ExchangeMethods.Watch, (r, s, c) =>
            streams.RunAsync(c, s, (checkedStream, token) => core.WatchAsync(c.Caller(), RequestValidator.Bounded(r), checkedStream, token)));
}

/// <summary>antifraud.exchange.v1.Inbox: banks and carriers receive, acknowledge and answer.</summary>
internal sealed class InboxService(ExchangeCoordinator core, PartnerStreams streams) : IGrpcService
{
    public ServiceDescriptor Descriptor => InboxMethods.Descriptor;

    public void Bind(ServiceBinder binder) => binder
        .ServerStreaming(InboxMethods.Subscribe, (r, s, c) =>
            streams.RunAsync(c, s, (checkedStream, token) => core.SubscribeAsync(c.Caller(), RequestValidator.Bounded(r), checkedStream, token)))
        .Unary(InboxMethods.Ack, (r, c) => core.AckAsync(c.Caller(), RequestValidator.Bounded(r).ExchangeId, c.CancellationToken))
        .Unary(InboxMethods.Respond, (r, c) => core.RespondAsync(c.Caller(), RequestValidator.Bounded(r), c.CancellationToken));
}

/// <summary>antifraud.exchange.v1.Operations: who is late, and who is registered.</summary>
internal sealed class OperationsService(Compliance.ComplianceCalculator compliance, PartnerRegistry registry) : IGrpcService
{
    public ServiceDescriptor Descriptor => OperationsMethods.Descriptor;

    public void Bind(ServiceBinder binder) => binder
        .Unary(OperationsMethods.GetCompliance, (r, c) => compliance.ReportAsync(RequestValidator.Bounded(r), c.CancellationToken))
        .Unary(OperationsMethods.ListPartners, (_, _) =>
        {
            var list = new PartnerList();
            list.Partners.AddRange(registry.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new PartnerInfo
            {
                Partner = new PartnerRef { Kind = p.Kind, Id = p.Id },
                DisplayName = p.DisplayName,
                Enabled = p.Enabled,
            }));
            return Task.FromResult(list);
        });
}
