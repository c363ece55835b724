using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Services;

// The handlers only route: the caller comes from authorization, bounds and refusals are mapped by
// HubEdgeInterceptor, and the behaviour is in the flows of Exchanges/.

/// <summary>antifraud.exchange.v1.Operations: who is late, and who is registered.</summary>
[Authorize(Policy = HubPolicies.Supervisors)]
internal sealed class OperationsService(ComplianceCalculator compliance, AlertFiguresCalculator alertFigures, PartnerRegistry registry)
    : Operations.OperationsBase
{
    public override Task<AlertFigures> GetAlertFigures(GetAlertFiguresRequest request, ServerCallContext context) =>
        alertFigures.ComputeAsync(request, context.CancellationToken);

    public override Task<ComplianceReport> GetCompliance(GetComplianceRequest request, ServerCallContext context) =>
        compliance.ReportAsync(request, context.CancellationToken);

    public override Task<PartnerList> ListPartners(ListPartnersRequest request, ServerCallContext context)
    {
        var list = new PartnerList();
        foreach (var p in registry.All.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var info = new PartnerInfo
            {
                Partner = new PartnerRef { Kind = p.Kind, Id = p.Id },
                DisplayName = p.DisplayName,
                Enabled = p.Enabled,
                PoliceLevel = p.Unit is { } unit ? PoliceUnit.LevelName(unit.Level) : string.Empty,
                ParentId = p.Unit?.Parent ?? string.Empty,
            };
            info.Divisions.AddRange(p.Unit?.Divisions ?? []);
            list.Partners.Add(info);
        }

        return Task.FromResult(list);
    }
}
