using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>Who may call what, and see which resource: each refusal a partner could provoke, and each role's happy path.</summary>
public sealed class AuthorizationTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    [Fact]
    public async Task BankSubmittingAFreeze_IsPermissionDenied()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "1", 100)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("open to police partners", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BankSubscribingToAnotherBanksInbox_IsPermissionDenied()
    {
        using var call = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest { PartnerId = "bank-beta" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains(f.Audit.Events, e => e.Kind == AuditEventKind.Denied && e.Actor?.Id == "bank-alpha");
    }

    [Fact]
    public async Task CarrierAnsweringABanksExchange_IsPermissionDenied_AndLearnsNothingAboutIt()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000002001", 100_00, caseRef: Requests.Case("SZ-AUTHZ-1")));
        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Carrier.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = Requests.Executed(1),
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.DoesNotContain("bank-alpha", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("SZ-AUTHZ-1", ex.Status.Detail, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => f.Carrier.Inbox.AckAsync(new AckRequest { ExchangeId = "ex-does-not-exist" }).ResponseAsync);
        Assert.Equal(ex.StatusCode, unknown.StatusCode);
    }

    [Fact]
    public async Task PoliceCentreReadingAnotherCentresCase_IsPermissionDenied()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000002002", 100_00, caseRef: Requests.Case("SZ-AUTHZ-2")));

        var getCase = await Assert.ThrowsAsync<RpcException>(() => f.OtherPolice.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-AUTHZ-2" }).ResponseAsync);
        var get = await Assert.ThrowsAsync<RpcException>(() => f.OtherPolice.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId }).ResponseAsync);
        using var watch = f.OtherPolice.Exchange.Watch(new WatchRequest { CaseNumber = "SZ-AUTHZ-2" });
        var watched = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.PermissionDenied, getCase.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, get.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, watched.StatusCode);
        Assert.DoesNotContain("police-shenzhen", get.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HappyPath_EveryRole()
    {
        var freeze = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-beta", "6222000000002003", 100_00, caseRef: Requests.Case("SZ-ROLES")));
        var trace = await f.Police.Exchange.SubmitAsync(Requests.Trace("carrier-east", caseRef: Requests.Case("SZ-ROLES")));

        var bank = await f.BankBeta.Inbox.RespondAsync(new RespondRequest { ExchangeId = freeze.ExchangeId, Result = Requests.Executed(100_00) });
        var carrier = await f.Carrier.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = trace.ExchangeId,
            Result = new Result { CallTrace = new CallTraceResult { Status = TraceStatus.Found } },
        });
        var view = await f.Police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-ROLES" });
        var partners = await f.Auditor.Operations.ListPartnersAsync(new ListPartnersRequest());
        var compliance = await f.Auditor.Operations.GetComplianceAsync(new GetComplianceRequest());

        Assert.Equal(ExchangeState.Answered, bank.State);
        Assert.Equal(ExchangeState.Answered, carrier.State);
        Assert.Equal(2, view.Exchanges.Count);
        Assert.Contains(partners.Partners, p => p.Partner.Id == "bank-gamma" && p.Enabled);
        Assert.Contains(compliance.Partners, p => p.Partner.Id == "bank-beta");
    }
}
