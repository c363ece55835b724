using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>The README promises every delivery is in the audit log: a failing write is retried until it is durable.</summary>
public sealed class DeliveryAuditTests
{
    [Fact]
    public async Task Delivery_WhoseAuditEntryFailsThreeTimes_IsStillInTheAuditLog()
    {
        await using var f = new ExchangeFixture();
        await f.InitializeAsync();
        f.Audit.FailNext(3, e => e.Kind == AuditEventKind.Delivered);
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000007001", 900_00));

        using var inbox = f.BankAlpha.Inbox.Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        Assert.True(await inbox.ResponseStream.MoveNext());
        Assert.Equal(submitted.ExchangeId, inbox.ResponseStream.Current.ExchangeId);

        // Retries wait 50, 100 and 200 ms; poll by count (up to 60 s) so a busy machine cannot fail the test.
        var delivered = false;
        for (var i = 0; i < 600 && !delivered; i++)
        {
            delivered = f.Audit.Events.Any(e => e.Kind == AuditEventKind.Delivered && e.ExchangeId == submitted.ExchangeId);
            if (!delivered)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(3, f.Audit.Failed);
        Assert.True(delivered, "the delivery never reached the audit log after its first writes failed");
        Assert.Single(f.Audit.Events, e => e.Kind == AuditEventKind.Delivered && e.ExchangeId == submitted.ExchangeId);
    }
}
