using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>
/// A 100,000-number card-cutting order through real processes: the police upload it, the carrier's bridge writes it to outbox/ as one
/// CSV and sends the carrier's result files back, while the bridge and then the hub are killed with SIGKILL. Every item ends with
/// exactly the result the carrier gave, and the hub's peak memory stays within the stated bound.
/// </summary>
public sealed class BulkBridgeTests(BridgeFixture fixture, ITestOutputHelper output) : IClassFixture<BridgeFixture>
{
    private const uint Total = 100_000;

    /// <summary>The bound on the hub's peak resident memory (VmHWM) through a 100,000-item order, stated in docs/benchmarks.md.
    /// The hub reads and writes one 1,000-item chunk at a time per stream; nothing grows with the order's size.</summary>
    private const long PeakBoundMiB = 256;

    private static string Phone(uint n) => $"+86172{n:D8}";

    private static string Outcome(uint n) => (n % 10) switch { 3 => "not_our_customer", 7 => "already_closed", 9 when n % 9 == 0 => "refused", _ => "done" };

    [Fact]
    public async Task AHundredThousandItemOrder_SurvivesKillingTheBridgeAndTheHub_WithEveryResultOnce_InBoundedMemory()
    {
        var folder = Path.Combine(fixture.Directory, "carrier-" + Guid.NewGuid().ToString("N")[..6]);
        var port = FreePort();
        string[] hubSettings = [$"--Hub:Store:Path={fixture.Directory}/bulk-{port}/hub.db", $"--Hub:Listen=127.0.0.1:{port}"];
        var address = $"https://127.0.0.1:{port}";
        var hub = await HubProcess.StartAsync(hubSettings);
        var bridge = StartBridge(folder, address);
        try
        {
            var idle = PeakMiB(hub.Pid);
            using var police = GrpcChannel.ForAddress(address, DevPki.ChannelOptions("police-shenzhen"));
            var header = new BulkOrderHeader
            {
                IdempotencyKey = "bulk-bridge-" + port,
                Recipient = new PartnerRef { Id = "carrier-east" },
                Priority = Priority.High,
                Case = new CaseRef { CaseNumber = "SZ-CUT-100K", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Wang Jianguo" },
                Order = new BulkOrderNotice { Kind = BulkOrderKind.SuspendNumbers, TotalItems = Total, Reason = "SIM cards sold to a fraud ring" },
            };
            var sent = await BulkTransfer.SendAsync(new BulkOrdersClient(police), header, Items);
            Assert.True(sent.Complete);
            var order = sent.OrderId;

            // The bridge writes the whole order as one CSV file, fetched a chunk at a time.
            var file = await BridgeFixture.Eventually(() => Task.FromResult(Directory.Exists(Path.Combine(folder, "outbox"))
                ? Directory.EnumerateFiles(Path.Combine(folder, "outbox"), "*.bulk.csv").FirstOrDefault(f => f.Contains(order, StringComparison.Ordinal))
                : null), "the order in outbox/", 120);
            var lines = File.ReadAllLines(file);
            Assert.Equal((int)Total + 1, lines.Length);
            Assert.Equal($"{order},100000,suspend_number,{Phone(100_000)},", lines[^1]);

            // The carrier answers the first 60,000; the bridge is killed while it sends them, and a new one sends the file again.
            Drop(folder, "results-1.csv", lines.Skip(1).Take(60_000));
            await Answered(police, order, 5_000);
            bridge.Kill();
            bridge.Dispose();
            bridge = StartBridge(folder, address);
            await Answered(police, order, 60_000);

            // The rest; this time the hub is killed mid-stream and restarted on the same store.
            Drop(folder, "results-2.csv", lines.Skip(60_001));
            await Answered(police, order, 65_000);
            var peakFirst = PeakMiB(hub.Pid);
            hub.Kill();
            hub.Dispose();
            hub = await HubProcess.StartAsync(hubSettings);
            var done = await Answered(police, order, Total);
            var peakSecond = PeakMiB(hub.Pid);

            Assert.Equal(ExchangeState.Answered, done.Exchange.State);
            var counts = done.Progress.Counts;
            Assert.Equal(Total, counts.Answered);
            Assert.Equal(Total, counts.Done + counts.NotOurCustomer + counts.AlreadyClosed + counts.Refused);
            Assert.Equal(10_000u, counts.NotOurCustomer);

            uint n = 0;
            await foreach (var row in BulkTransfer.ReadResultsAsync(new BulkOrdersClient(police), order))
            {
                Assert.Equal(++n, row.Item.ItemNo);
                Assert.Equal(Outcome(n), BulkCsv.OutcomeName(row.Result.Outcome));
            }

            Assert.Equal(Total, n);
            // The order was written once, whatever the restarts; the results files were archived, none dead-lettered.
            Assert.Single(Directory.GetFiles(Path.Combine(folder, "outbox"), $"*{order}*"));
            Assert.Empty(Directory.GetFiles(Path.Combine(folder, "dead-letter")));
            Assert.Empty(Directory.GetFiles(Path.Combine(folder, "bulk-results")));

            output.WriteLine($"hub peak resident memory: idle {idle} MiB; through the upload, the fetch and 65,000 answers {peakFirst} MiB; "
                + $"after the restart, through the last 35,000 {peakSecond} MiB (bound {PeakBoundMiB} MiB)");
            Assert.True(peakFirst <= PeakBoundMiB && peakSecond <= PeakBoundMiB,
                $"hub peak memory {peakFirst} MiB / {peakSecond} MiB exceeds the {PeakBoundMiB} MiB bound");
        }
        finally
        {
            bridge.Dispose();
            hub.Dispose();
        }
    }

    [Fact]
    public async Task AResultsFileThatDoesNotParse_OrThatTheHubRefuses_IsKeptWithItsReason()
    {
        var folder = Path.Combine(fixture.Directory, "carrier-" + Guid.NewGuid().ToString("N")[..6]);
        using var police = fixture.Channel("police-shenzhen");
        var sent = await BulkTransfer.SendAsync(new BulkOrdersClient(police), new BulkOrderHeader
        {
            IdempotencyKey = "bulk-dead-" + Guid.NewGuid().ToString("N"),
            Recipient = new PartnerRef { Id = "carrier-west" },
            Priority = Priority.Medium,
            Case = new CaseRef { CaseNumber = "SZ-CUT-3", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Wang Jianguo" },
            Order = new BulkOrderNotice { Kind = BulkOrderKind.SuspendNumbers, TotalItems = 3 },
        }, after => Items(after).Take(3 - (int)after));
        using var bridge = fixture.StartBridge("carrier-west", folder);

        Write(folder, "unreadable.csv", $"{sent.OrderId},1,done,,", $"{sent.OrderId},2,suspended,,");
        Write(folder, "refused.csv", $"{sent.OrderId},1,done,,", $"{sent.OrderId},4,done,,");
        var unreadable = await Reason(folder, "unreadable.csv");
        Assert.Contains("direction: bulk-results", unreadable);
        Assert.Contains("line 3, column 3 (outcome): 'suspended' is not done, not_our_customer, already_closed or refused", unreadable);
        var refused = await Reason(folder, "refused.csv");
        Assert.Contains("the hub refused the results: InvalidArgument: results[1].item_no: must be 1 to 3 (got 4)", refused);

        // Nothing of either file was recorded: the unreadable one was never sent, the refused chunk was refused whole.
        var view = await new BulkOrdersClient(police).GetAsync(new GetBulkOrderRequest { OrderId = sent.OrderId });
        Assert.Equal(0u, view.Progress.Counts.Answered);
    }

    private static void Write(string folder, string name, params string[] lines)
    {
        var staged = Path.Combine(folder, "bulk-results", name + ".tmp");
        File.WriteAllLines(staged, [BulkCsv.ResultHeader, .. lines]);
        File.Move(staged, Path.Combine(folder, "bulk-results", name));
    }

    private static Task<string> Reason(string folder, string name) =>
        BridgeFixture.Eventually(() => Task.FromResult(File.Exists(Path.Combine(folder, "dead-letter", name + ".reason"))
            ? File.ReadAllText(Path.Combine(folder, "dead-letter", name + ".reason")) : null), $"the dead letter {name}");

    private static async IAsyncEnumerable<BulkItem> Items(uint after)
    {
        for (var n = after + 1; n <= Total; n++)
        {
            yield return new BulkItem { ItemNo = n, Number = new PhoneNumber { E164 = Phone(n) } };
        }

        await Task.CompletedTask;
    }

    /// <summary>The carrier's system writes a results file the way the bridge expects: under a temporary name, then renamed.</summary>
    private static void Drop(string folder, string name, IEnumerable<string> orderLines)
    {
        var staged = Path.Combine(folder, "bulk-results", name + ".tmp");
        using (var writer = new StreamWriter(staged, false, new UTF8Encoding(false)))
        {
            writer.WriteLine(BulkCsv.ResultHeader);
            foreach (var line in orderLines)
            {
                var fields = line.Split(',');
                var n = uint.Parse(fields[1], CultureInfo.InvariantCulture);
                var outcome = Outcome(n);
                writer.WriteLine($"{fields[0]},{n},{outcome},{(outcome == "refused" ? "line belongs to a hospital" : "")},");
            }
        }

        File.Move(staged, Path.Combine(folder, "bulk-results", name));
    }

    private static async Task<BulkOrderView> Answered(GrpcChannel police, string order, uint atLeast) =>
        await BridgeFixture.Eventually(async () =>
        {
            try
            {
                var view = await new BulkOrdersClient(police).GetAsync(new GetBulkOrderRequest { OrderId = order });
                return view.Progress.Counts.Answered >= atLeast && (atLeast < Total || view.Exchange.State == ExchangeState.Answered) ? view : null;
            }
            catch (Grpc.Core.RpcException)
            {
                return null; // the hub is restarting
            }
        }, $"{atLeast} items of {order} answered", 240);

    private static long PeakMiB(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    private DotnetProcess StartBridge(string folder, string address) =>
        DotnetProcess.Start(DevPki.BuiltDll("src/Adapters", "afx-bridge.dll"), ["run", .. fixture.BridgeSettings("carrier-east", folder, address)]);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
