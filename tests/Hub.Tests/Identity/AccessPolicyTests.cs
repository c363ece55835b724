using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

/// <summary>Who may call which RPC: every contract method names a policy, and the hub enforces it for every kind of partner.</summary>
public sealed class AccessPolicyTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    private static readonly string[] ContractServices =
    [
        Contract.V1.Exchange.Descriptor.FullName, Inbox.Descriptor.FullName, Contract.V1.Audit.Descriptor.FullName, Operations.Descriptor.FullName,
        Contract.V1.Alerts.Descriptor.FullName, RiskLists.Descriptor.FullName, BulkOrders.Descriptor.FullName,
    ];

    [Fact]
    public void EveryContractMethod_HasAPolicyNamingWhoMayCallIt()
    {
        var endpoints = f.Hub.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => (Method: e.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method, Policies: e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList()))
            .Where(e => e.Method is not null && ContractServices.Contains(e.Method.ServiceName))
            .ToList();

        var declared = new[] { Contract.V1.Exchange.Descriptor, Inbox.Descriptor, Contract.V1.Audit.Descriptor, Operations.Descriptor,
            Contract.V1.Alerts.Descriptor, RiskLists.Descriptor, BulkOrders.Descriptor }.Sum(s => s.Methods.Count);
        Assert.Equal(declared, endpoints.Count);
        Assert.All(endpoints, e => Assert.Single(e.Policies, p => p is not null && HubPolicies.Kinds.ContainsKey(p)));
    }

    public static TheoryData<string, string> Calls()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in Matrix.Keys)
        {
            foreach (var partner in new[] { "police", "bank", "carrier", "auditor" })
            {
                data.Add(method, partner);
            }
        }

        return data;
    }

    /// <summary>Each RPC, and the kinds of partner that may call it.</summary>
    private static readonly Dictionary<string, (string[] Kinds, Func<Partner, CallOptions, Task> Call)> Matrix = new()
    {
        ["Exchange/Submit"] = (["police"], (p, o) => p.Exchange.SubmitAsync(new SubmitRequest(), o).ResponseAsync),
        ["Exchange/Get"] = (["police"], (p, o) => p.Exchange.GetAsync(new GetExchangeRequest(), o).ResponseAsync),
        ["Exchange/Cancel"] = (["police"], (p, o) => p.Exchange.CancelAsync(new CancelExchangeRequest(), o).ResponseAsync),
        ["Exchange/GetCase"] = (["police"], (p, o) => p.Exchange.GetCaseAsync(new GetCaseRequest(), o).ResponseAsync),
        ["Exchange/Watch"] = (["police"], (p, o) => First(p.Exchange.Watch(new WatchRequest(), o))),
        ["Inbox/Subscribe"] = (["police", "bank", "carrier"], (p, o) => First(p.Inbox.Subscribe(new SubscribeRequest(), o))),
        ["Inbox/Peek"] = (["police", "bank", "carrier"], (p, o) => p.Inbox.PeekAsync(new PeekRequest(), o).ResponseAsync),
        ["Inbox/Ack"] = (["police", "bank", "carrier"], (p, o) => p.Inbox.AckAsync(new AckRequest(), o).ResponseAsync),
        ["Inbox/Respond"] = (["bank", "carrier"], (p, o) => p.Inbox.RespondAsync(new RespondRequest(), o).ResponseAsync),
        ["Audit/GetCheckpoint"] = (["police", "bank", "carrier", "auditor"], (p, o) => p.Audit.GetCheckpointAsync(new GetCheckpointRequest(), o).ResponseAsync),
        ["Audit/GetInclusionProof"] = (["police", "bank", "carrier", "auditor"], (p, o) => p.Audit.GetInclusionProofAsync(new GetInclusionProofRequest(), o).ResponseAsync),
        ["Audit/GetConsistencyProof"] = (["police", "bank", "carrier", "auditor"], (p, o) => p.Audit.GetConsistencyProofAsync(new GetConsistencyProofRequest(), o).ResponseAsync),
        ["Audit/Query"] = (["auditor"], (p, o) => p.Audit.QueryAsync(new AuditQueryRequest { PageSize = 1 }, o).ResponseAsync),
        ["Audit/Export"] = (["auditor"], (p, o) => First(p.Audit.Export(new ExportLogRequest { EndIndex = 1 }, o))),
        ["Operations/GetCompliance"] = (["police", "auditor"], (p, o) => p.Operations.GetComplianceAsync(new GetComplianceRequest(), o).ResponseAsync),
        ["Operations/ListPartners"] = (["police", "auditor"], (p, o) => p.Operations.ListPartnersAsync(new ListPartnersRequest(), o).ResponseAsync),
        ["Operations/GetAlertFigures"] = (["police", "auditor"], (p, o) => p.Operations.GetAlertFiguresAsync(new GetAlertFiguresRequest(), o).ResponseAsync),
        ["Alerts/Raise"] = (["police", "bank", "carrier"], (p, o) => p.Alerts.RaiseAsync(new RaiseAlertRequest(), o).ResponseAsync),
        ["Alerts/Get"] = (["police", "bank", "carrier", "auditor"], (p, o) => p.Alerts.GetAsync(new GetAlertRequest(), o).ResponseAsync),
        ["Alerts/List"] = (["police", "bank", "carrier", "auditor"], (p, o) => p.Alerts.ListAsync(new ListAlertsRequest(), o).ResponseAsync),
        ["RiskLists/Publish"] = (["police"], (p, o) => p.Lists.PublishAsync(new PublishEntriesRequest(), o).ResponseAsync),
        ["RiskLists/GetScreeningSet"] = (["bank", "carrier"], (p, o) => p.Lists.GetScreeningSetAsync(new GetScreeningSetRequest(), o).ResponseAsync),
        ["RiskLists/Evaluate"] = (["bank", "carrier"], (p, o) => p.Lists.EvaluateAsync(new EvaluateRequest(), o).ResponseAsync),
        ["RiskLists/ReportHit"] = (["bank", "carrier"], (p, o) => p.Lists.ReportHitAsync(new ReportHitRequest(), o).ResponseAsync),
        ["BulkOrders/Send"] = (["police"], (p, o) => Duplex(new BulkOrdersClient(p.Channel).Send(o))),
        ["BulkOrders/Fetch"] = (["bank", "carrier"], (p, o) => First(new BulkOrdersClient(p.Channel).Fetch(new FetchBulkItemsRequest(), o))),
        ["BulkOrders/Answer"] = (["bank", "carrier"], (p, o) => Duplex(new BulkOrdersClient(p.Channel).Answer(o))),
        ["BulkOrders/Get"] = (["police", "bank", "carrier"], (p, o) => new BulkOrdersClient(p.Channel).GetAsync(new GetBulkOrderRequest(), o).ResponseAsync),
        ["BulkOrders/ReadResults"] = (["police"], (p, o) => First(new BulkOrdersClient(p.Channel).ReadResults(new ReadBulkResultsRequest(), o))),
        ["Alerts/Claim"] = (["police"], (p, o) => p.Alerts.ClaimAsync(new ClaimAlertRequest(), o).ResponseAsync),
        ["Alerts/ReportOutcome"] = (["police"], (p, o) => p.Alerts.ReportOutcomeAsync(new ReportOutcomeRequest(), o).ResponseAsync),
        ["Health/Check"] = (["police", "bank", "carrier", "auditor"], (p, o) => new HealthClient(p.Channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), o).ResponseAsync),
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task EachKindOfPartner_IsAdmittedOrRefused_AsThePolicySays(string method, string kind)
    {
        var partner = kind switch
        {
            "police" => f.Police,
            "bank" => f.BankAlpha,
            "carrier" => f.Carrier,
            _ => f.Auditor,
        };
        var (kinds, call) = Matrix[method];

        StatusCode status;
        string detail;
        try
        {
            // Generous: a refusal comes at once, and a busy machine must not turn an admitted call into DEADLINE_EXCEEDED.
            await call(partner, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
            (status, detail) = (StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            (status, detail) = (ex.StatusCode, ex.Status.Detail);
        }

        if (kinds.Contains(kind))
        {
            Assert.True(status != StatusCode.PermissionDenied || !detail.Contains("is open to", StringComparison.Ordinal), $"{kind} refused {method}: {detail}");
        }
        else
        {
            Assert.Equal(StatusCode.PermissionDenied, status);
            Assert.Contains($"is open to {string.Join(", ", kinds)} partners", detail, StringComparison.Ordinal);
        }
    }

    /// <summary>A stream both ways that sends nothing: admitted, it ends without a reply.</summary>
    private static async Task Duplex<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        using (call)
        {
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }

    private static async Task First<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }
}
