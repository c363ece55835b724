using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>The hub on a log it opened from the saved tree: an entry altered while it was down makes it NOT_SERVING once found.</summary>
public sealed class AuditTreeHubTests
{
    [Fact]
    public async Task QuickOpenedHub_WhoseOldEntryWasAltered_ReportsNotServing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-treehub-" + Guid.NewGuid().ToString("N")[..8]);
        string[] settings = [$"--Hub:Store:Path={Path.Combine(dir, "hub.db")}", "--Hub:Audit:FullCheckBelowEntries=0"];
        try
        {
            var first = new HubFixture();
            await first.StartAsync(HubFixture.Build(settings));
            var log = first.Services.GetRequiredService<AuditLog>();
            var marker = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" };
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
                log.RecordAsync(new AuditEvent(AuditEventKind.Delivered, marker, $"tree-test-{i:D3}"), CancellationToken.None).AsTask()));
            await first.DisposeAsync();

            var path = Path.Combine(dir, "audit", "audit.log");
            var bytes = await File.ReadAllBytesAsync(path);
            var at = bytes.AsSpan().IndexOf("tree-test-007"u8);
            bytes[at + 12] = (byte)'8';
            await File.WriteAllBytesAsync(path, bytes);

            var second = new HubFixture();
            await second.StartAsync(HubFixture.Build(settings));
            try
            {
                var reopened = second.Services.GetRequiredService<AuditLog>();
                Assert.NotNull(reopened.OpenedFrom);
                await reopened.TreeChecked;
                Assert.Contains("does not hash to its leaf", reopened.Damage, StringComparison.Ordinal);

                using var channel = second.Channel("police-shenzhen");
                var status = HealthCheckResponse.Types.ServingStatus.Unknown;
                for (var look = 0; look < 100 && status != HealthCheckResponse.Types.ServingStatus.NotServing; look++)
                {
                    status = (await new HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status;
                    if (status != HealthCheckResponse.Types.ServingStatus.NotServing)
                    {
                        await Task.Delay(100);
                    }
                }

                Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
