using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Alerts;

public sealed class AlertCrashTests
{
    /// <summary>
    /// Carriers raise alerts while the hub process is killed with SIGKILL. After a restart on the same store every
    /// acknowledged raise is there, dispatched: its district and station have the instruction on their inbox.
    /// </summary>
    [Fact]
    public async Task Hub_KilledAfterAcknowledgedRaises_DispatchesEveryOneAfterRestart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-alert-crash-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string[] settings = [$"--Hub:Store:Path={dir}/hub.db"];
        var acknowledged = new List<string>();
        using (var hub = await HubProcess.StartAsync(settings))
        {
            using var carrier = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("carrier-east"));
            var alerts = new AlertsClient(carrier);
            for (var i = 0; i < 20; i++)
            {
                var reply = await alerts.RaiseAsync(AlertSignals.Calls(AlertSignals.Victim($"+86135{i:D8}", "440305005")));
                acknowledged.Add(reply.AlertId);
            }

            hub.Kill();
        }

        using var again = await HubProcess.StartAsync(settings);
        using var station = GrpcChannel.ForAddress(again.Address, DevPki.ChannelOptions("police-sz-nanshan-yuehai"));
        using var district = GrpcChannel.ForAddress(again.Address, DevPki.ChannelOptions("police-sz-nanshan"));
        var items = (await new InboxClient(station).PeekAsync(new PeekRequest { MaxItems = 100 })).Items.Select(i => i.Request.WarnVictim.AlertId)
            .ToHashSet();
        Assert.All(acknowledged, id => Assert.Contains(id, items));
        var listed = await new AlertsClient(district).ListAsync(new ListAlertsRequest());
        Assert.All(acknowledged, id => Assert.Contains(listed.Alerts, a => a.AlertId == id && a.Assignments.Count == 2));
    }
}
