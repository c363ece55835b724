using AntiFraud.Exchange.Protocol.Clients;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Adversarial;

/// <summary>Free text typed by a person never reaches the audit log, and reaches other organisations only redacted.</summary>
public sealed class PersonalDataTests : IAsyncLifetime
{
    private const string Account = "6222021234567890123";
    private const string NationalId = "440301199001011234";
    private static readonly string Typed = $"customer account {Account}, ID {NationalId}, called back";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "afx-pii-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HubFixture _hub = new();
    private Partner _police = null!;
    private Partner _bank = null!;
    private Partner _carrier = null!;
    private Partner _auditor = null!;

    public async Task InitializeAsync()
    {
        await _hub.StartAsync(HubFixture.Build($"--Hub:Store:Path={_dir}/hub.db"));
        _police = new Partner(_hub, "police-shenzhen");
        _bank = new Partner(_hub, "bank-alpha");
        _carrier = new Partner(_hub, "carrier-east");
        _auditor = new Partner(_hub, "auditor-national");
    }

    public async Task DisposeAsync()
    {
        foreach (var p in new[] { _police, _bank, _carrier, _auditor })
        {
            p.Dispose();
        }

        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task FreeText_InCancelAndRejection_NeverReachesTheAuditLog_NorItsQueryAndExport()
    {
        var cancelled = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000019001", 100_00, caseRef: Requests.Case("SZ-PII-1")));
        await _police.Exchange.CancelAsync(new CancelExchangeRequest { ExchangeId = cancelled.ExchangeId, Reason = Typed });
        var rejected = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000019002", 100_00, caseRef: Requests.Case("SZ-PII-1")));
        await _bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = rejected.ExchangeId, RejectionReason = Typed });
        await _auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });

        var log = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(_dir, "audit", "audit.log")));
        Assert.DoesNotContain(Account, log, StringComparison.Ordinal);
        Assert.DoesNotContain(NationalId, log, StringComparison.Ordinal);

        var query = await _auditor.Audit.QueryAsync(new AuditQueryRequest { CaseNumber = "SZ-PII-1", PageSize = 1000 });
        Assert.NotEmpty(query.Entries);
        Assert.DoesNotContain(query.Entries, e => e.ToString().Contains(Account, StringComparison.Ordinal) || e.ToString().Contains(NationalId, StringComparison.Ordinal));

        using var export = _auditor.Audit.Export(new ExportLogRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        var exported = 0;
        while (await export.ResponseStream.MoveNext())
        {
            exported++;
            var text = export.ResponseStream.Current.ToString();
            Assert.DoesNotContain(Account, text, StringComparison.Ordinal);
            Assert.DoesNotContain(NationalId, text, StringComparison.Ordinal);
        }

        Assert.True(exported > 0);
    }

    [Fact]
    public async Task FreeText_ToACarrier_IsRedacted()
    {
        var request = new SubmitRequest
        {
            IdempotencyKey = Requests.NewKey(),
            Recipient = new PartnerRef { Kind = PartnerKind.Carrier, Id = "carrier-east" },
            Priority = Priority.Critical,
            Case = Requests.Case("SZ-PII-2"),
            Request = new Request
            {
                NumberSuspension = new NumberSuspensionRequest { Number = new PhoneNumber { E164 = "+8617000000002" }, Reason = Typed },
            },
        };
        var submitted = await _police.Exchange.SubmitAsync(request);

        using var inbox = _carrier.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        InboxItem? item = null;
        while (await inbox.ResponseStream.MoveNext())
        {
            if (inbox.ResponseStream.Current.ExchangeId == submitted.ExchangeId)
            {
                item = inbox.ResponseStream.Current;
                break;
            }
        }

        Assert.NotNull(item);
        Assert.Equal("+8617000000002", item.Request.NumberSuspension.Number.E164);
        Assert.DoesNotContain(Account, item.Request.NumberSuspension.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(NationalId, item.Request.NumberSuspension.Reason, StringComparison.Ordinal);
    }
}
