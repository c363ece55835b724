using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in the flows of Exchanges/.

/// <summary>antifraud.exchange.v1.Operations: who is late, and who is registered.</summary>
[Authorize(Policy = HubPolicies.Supervisors)]
internal sealed class OperationsService(ComplianceCalculator compliance, PartnerRegistry registry) : Operations.OperationsBase
{
    public override Task<ComplianceReport> GetCompliance(GetComplianceRequest request, ServerCallContext context) =>
        compliance.ReportAsync(request, context.CancellationToken);

    public override Task<PartnerList> ListPartners(ListPartnersRequest request, ServerCallContext context)
    {
        var list = new PartnerList();
        list.Partners.AddRange(registry.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new PartnerInfo
        {
            Partner = new PartnerRef { Kind = p.Kind, Id = p.Id },
            DisplayName = p.DisplayName,
            Enabled = p.Enabled,
        }));
        return Task.FromResult(list);
    }
}
