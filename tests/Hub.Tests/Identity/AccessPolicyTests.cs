using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Protocol.Contract;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

public sealed class AccessPolicyTests
{
    [Theory]
    [InlineData(PartnerKind.Auditor, true)]
    [InlineData(PartnerKind.Police, false)]
    [InlineData(PartnerKind.Bank, false)]
    [InlineData(PartnerKind.Carrier, false)]
    public void AuditQueryAndExport_AreForAuditorsOnly(PartnerKind kind, bool allowed)
    {
        Assert.Equal(allowed, AccessPolicy.Allows(AuditMethods.Query.FullName, kind));
        Assert.Equal(allowed, AccessPolicy.Allows(AuditMethods.Export.FullName, kind));
    }

    [Theory]
    [InlineData(PartnerKind.Police)]
    [InlineData(PartnerKind.Bank)]
    [InlineData(PartnerKind.Carrier)]
    [InlineData(PartnerKind.Auditor)]
    public void AuditProofs_AreOpenToEveryPartnerHoldingAReceipt(PartnerKind kind)
    {
        Assert.True(AccessPolicy.Allows(AuditMethods.GetInclusionProof.FullName, kind));
        Assert.True(AccessPolicy.Allows(AuditMethods.GetCheckpoint.FullName, kind));
    }

    [Fact]
    public void EveryContractMethod_HasAnExplicitRule()
    {
        var methods = new[] { ExchangeMethods.Descriptor, InboxMethods.Descriptor, AuditMethods.Descriptor, OperationsMethods.Descriptor }
            .SelectMany(s => s.Methods.Select(m => $"/{s.FullName}/{m.Name}"));
        Assert.All(methods, m => Assert.NotEqual("any partner", AccessPolicy.Describe(m)));
    }
}
