using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Masking;

/// <summary>Masking is a property of delivery: the bank gets the masked view, the store and the submitter the whole record.</summary>
public sealed class MaskingThroughTheHubTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    [Fact]
    public async Task Bank_InboxItemIsMasked_SubmitterSeesItWhole_AndTheDecisionsAreAudited()
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-gamma", "6222000000009001", 500_00, caseRef: Requests.Case("SZ-MASK")));
        using var inbox = f.BankGamma.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
        Assert.True(await inbox.ResponseStream.MoveNext());
        var item = inbox.ResponseStream.Current;

        Assert.Equal(submitted.ExchangeId, item.ExchangeId);
        Assert.Equal("6222000000009001", item.Request.Freeze.Account.AccountNumber);
        Assert.Equal("**梅", item.Request.Freeze.Victim.Name);
        Assert.Equal("**************1234", item.Request.Freeze.Victim.NationalId);
        Assert.Equal("", item.Request.Freeze.Victim.Address);

        var whole = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = submitted.ExchangeId });
        Assert.Equal("李小梅", whole.Request.Freeze.Victim.Name);
        Assert.Equal("440301199001011234", whole.Request.Freeze.Victim.NationalId);

        var delivered = f.Audit.Events.Single(e => e.Kind == AuditEventKind.Delivered && e.ExchangeId == submitted.ExchangeId);
        Assert.Contains(delivered.Masking!, d => d.FieldPath == "request.freeze.victim.national_id" && d.Transform == MaskTransform.Partial && d.Rule == "bank-victim-identifiers");
    }
}
