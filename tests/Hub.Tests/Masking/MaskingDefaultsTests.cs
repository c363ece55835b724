using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Tests.Masking;

/// <summary>The defaults a user expects, each checked on a real message with the shipped policy.</summary>
public sealed class MaskingDefaultsTests
{
    private readonly Hub.Masking.MaskingEngine _engine = MaskingTestBed.Engine();

    [Fact]
    public void SubmittingPolice_InACriminalCase_SeesEverythingInTheClear_WithoutACopy()
    {
        var item = MaskingTestBed.FreezeItem();
        var masked = _engine.Mask(item, MaskingTestBed.For(PartnerKind.Police, "police-shenzhen", submitter: true));
        Assert.Same(item, masked.Message);
        Assert.Contains(masked.Decisions, d => d.FieldPath == "request.freeze.victim.national_id" && d.Transform == MaskTransform.Keep && d.Rule == "police-own-case");
    }

    [Fact]
    public void Bank_ReceivingAFreeze_SeesItsOwnAccount_AndTheVictimPartiallyMasked()
    {
        var item = MaskingTestBed.FreezeItem();
        var masked = _engine.Mask(item, MaskingTestBed.For(PartnerKind.Bank, "bank-alpha"));
        var freeze = masked.Message.Request.Freeze;

        Assert.Equal("6222021234567890", freeze.Account.AccountNumber);
        Assert.Equal("张三", freeze.Account.AccountName);
        Assert.Equal("**梅", freeze.Victim.Name);
        Assert.Equal("**************1234", freeze.Victim.NationalId);
        Assert.Equal("**********8000", freeze.Victim.Phone.E164);
        Assert.Equal("", freeze.Victim.Address);
        Assert.Equal("************6655", freeze.ReportedTransfer.Counterparty.AccountNumber);
        Assert.Equal("Inspector Wang", masked.Message.Case.ApprovingOfficer);
        Assert.Equal("李小梅", item.Request.Freeze.Victim.Name); // the original is untouched: storage keeps it whole
        Assert.Contains(masked.Decisions, d => d.FieldPath == "request.freeze.victim.name" && d.Transform == MaskTransform.Partial && d.Rule == "bank-victim-name");
        Assert.Contains(masked.Decisions, d => d.FieldPath == "request.freeze.victim.address" && d.Transform == MaskTransform.Drop);
    }

    [Fact]
    public void Carrier_NeverReceivesBankAccountData_AndFieldsWithoutABasisAreDropped()
    {
        var masked = _engine.Mask(MaskingTestBed.FreezeItem(), MaskingTestBed.For(PartnerKind.Carrier, "carrier-east"));
        var text = JsonFormatter.Default.Format(masked.Message);

        Assert.DoesNotContain("6222021234567890", text, StringComparison.Ordinal);
        Assert.DoesNotContain("6217009988776655", text, StringComparison.Ordinal);
        Assert.Equal("", masked.Message.Request.Freeze.Account.AccountNumber);
        Assert.Equal("", masked.Message.Request.Freeze.Victim.NationalId);
        Assert.Equal("", masked.Message.Request.Freeze.ReportedTransfer.CounterpartyIp);
        Assert.Equal("+8613800138000", masked.Message.Request.Freeze.Victim.Phone.E164);
        // Dropped means absent on the wire, not a blank placeholder.
        Assert.DoesNotContain("nationalId", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Auditor_SeesPseudonyms_NeverClearValues()
    {
        var item = MaskingTestBed.FreezeItem();
        var masked = _engine.Mask(item, MaskingTestBed.For(PartnerKind.Auditor, "auditor-national"));
        var text = JsonFormatter.Default.Format(masked.Message);
        foreach (var clear in new[] { "6222021234567890", "李小梅", "440301199001011234", "+8613800138000", "张三", "Inspector Wang", "203.0.113.77" })
        {
            Assert.DoesNotContain(clear, text, StringComparison.Ordinal);
        }

        Assert.StartsWith("ps:", masked.Message.Request.Freeze.Victim.NationalId, StringComparison.Ordinal);
        Assert.Equal("case-number-is-not-personal", new CaseRef { CaseNumber = "case-number-is-not-personal" }.CaseNumber);
        Assert.Equal(item.Case.CaseNumber, masked.Message.Case.CaseNumber);
    }

    [Fact]
    public void Pseudonyms_AreStablePerRecipient_AndDifferAcrossRecipients()
    {
        var auditorA = MaskingTestBed.For(PartnerKind.Auditor, "auditor-national");
        var auditorB = MaskingTestBed.For(PartnerKind.Auditor, "auditor-provincial");
        var first = _engine.Mask(MaskingTestBed.FreezeItem(), auditorA).Message.Request.Freeze.Victim.NationalId;
        var again = _engine.Mask(MaskingTestBed.FreezeItem(), auditorA).Message.Request.Freeze.Victim.NationalId;
        var other = _engine.Mask(MaskingTestBed.FreezeItem(), auditorB).Message.Request.Freeze.Victim.NationalId;
        var otherPerson = MaskingTestBed.FreezeItem();
        otherPerson.Request.Freeze.Victim.NationalId = "110101198001010011";

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, _engine.Mask(otherPerson, auditorA).Message.Request.Freeze.Victim.NationalId);
    }

    [Fact]
    public void PoliceOnAPreliminaryCheck_SeeIdentifiersPartially_AndNoLocation()
    {
        var record = new ExchangeRecord
        {
            Case = new CaseRef { CaseNumber = "PC-1", LegalBasis = LegalBasis.PreliminaryCheck },
            Result = new Result
            {
                CallTrace = new CallTraceResult
                {
                    Status = TraceStatus.Found,
                    Hops = { new CallHop { Imsi = "460011234567890", Imei = "356938035643809", LocationArea = "LAC 4097 / CI 21012", Network = "46001", SeenAt = Timestamp.FromDateTime(DateTime.UtcNow) } },
                },
            },
        };
        var masked = _engine.Mask(record, MaskingTestBed.For(PartnerKind.Police, "police-shenzhen", LegalBasis.PreliminaryCheck, Request.KindOneofCase.CallTrace, submitter: true));
        var hop = masked.Message.Result.CallTrace.Hops[0];
        Assert.Equal("***********7890", hop.Imsi);
        Assert.Equal("[REDACTED]", hop.LocationArea);
        Assert.Equal("46001", hop.Network);
    }

    [Fact]
    public void APoliceCentreThatDidNotSubmit_GetsNothingSensitive()
    {
        var masked = _engine.Mask(MaskingTestBed.FreezeItem(), MaskingTestBed.For(PartnerKind.Police, "police-guangzhou", submitter: false));
        Assert.Equal("", masked.Message.Request.Freeze.Victim.Name);
        Assert.Equal("", masked.Message.Request.Freeze.Account.AccountNumber);
    }
}
