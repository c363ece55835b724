using System.Text;
using System.Text.Json;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>afx bulk send | fetch | answer | status | results: a card-cutting order from CSV files, both sides, on a real hub.</summary>
public sealed class BulkCommandTests(AfxCommandTests.HubFixture hub) : IClassFixture<AfxCommandTests.HubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("afx-bulk-").FullName;

    private string Address => hub.Hub.Address;

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public async Task APoliceUnitSendsACsvOfNumbers_TheCarrierAnswersACsv_AndThePoliceReadEveryResult()
    {
        var tag = Random.Shared.Next(100_000, 999_999);
        var numbers = Write("numbers.csv", ["value,note", .. Enumerable.Range(1, 2500).Select(n => $"+86171{tag:D6}{n % 100:D2},batch {n / 100}")]);
        var sent = await Afx.RunAsync("bulk", "send", "--hub", Address, "--as", "police-shenzhen", "--to", "carrier-east", "--kind", "suspend-numbers",
            "--file", numbers, "--case", "SZ-CUT-" + tag, "--officer", "Wang Jianguo", "--json");
        Assert.True(sent.Code == 0, sent.Err);
        Assert.Contains("stored 2,000/2,500", sent.Err);
        var order = JsonDocument.Parse(sent.Out).RootElement.GetProperty("orderId").GetString()!;

        // The same command again resumes (here: finds everything stored) and opens nothing new.
        var again = await Afx.RunAsync("bulk", "send", "--hub", Address, "--as", "police-shenzhen", "--to", "carrier-east", "--kind", "suspend-numbers",
            "--file", numbers, "--case", "SZ-CUT-" + tag, "--officer", "Wang Jianguo");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains($"Order {order}: 2,500 items sent", again.Out);

        var orderFile = Path.Combine(_dir, "order.csv");
        var fetched = await Afx.RunAsync("bulk", "fetch", order, "--hub", Address, "--as", "carrier-east", "--out", orderFile);
        Assert.True(fetched.Code == 0, fetched.Err);
        var lines = File.ReadAllLines(orderFile);
        Assert.Equal("order_id,item_no,kind,value,note", lines[0]);
        Assert.Equal(2501, lines.Length);
        Assert.StartsWith($"{order},1,suspend_number,+86171{tag:D6}01,", lines[1]);

        // The carrier answers the first 2,000 (the last one refused), then everything again: nothing counts twice.
        string Result(string line, int i) => string.Join(',', line.Split(',')[..2]) + (i == 1999 ? ",refused,\"court order, pending\"" : ",done");
        var first = Write("results-1.csv", ["order_id,item_no,outcome,reason,done_at", .. lines[1..2001].Select(Result)]);
        var all = Write("results-2.csv", lines[1..].Select(Result));
        Assert.Equal(0, (await Afx.RunAsync("bulk", "answer", "--hub", Address, "--as", "carrier-east", "--file", first)).Code);
        var status = await Afx.RunAsync("bulk", "status", order, "--hub", Address, "--as", "police-shenzhen");
        Assert.Contains("2,000/2,500 answered: 1,999 done", status.Out);
        var complete = await Afx.RunAsync("bulk", "answer", "--hub", Address, "--as", "carrier-east", "--file", all);
        Assert.True(complete.Code == 0, complete.Err);
        Assert.Contains("2,500/2,500 answered: 2,499 done, 0 not our customer, 0 already closed, 1 refused — complete", complete.Out);

        var report = Path.Combine(_dir, "report.csv");
        var results = await Afx.RunAsync("bulk", "results", order, "--hub", Address, "--as", "police-shenzhen", "--out", report);
        Assert.True(results.Code == 0, results.Err);
        var rows = File.ReadAllLines(report);
        Assert.Equal(2501, rows.Length);
        Assert.StartsWith($"2000,+86171{tag:D6}00,refused,\"court order, pending\",", rows[2000]);

        var watch = await Afx.RunAsync("watch", "--hub", Address, "--as", "police-shenzhen", "--exchange", order, "--until-done", "--timeout", "60");
        Assert.True(watch.Code == 0, watch.Err);
        Assert.Contains("progress 2,000/2,500 answered", watch.Out);
        Assert.Contains("-> ANSWERED", watch.Out);

        var outsider = await Afx.RunAsync("bulk", "status", order, "--hub", Address, "--as", "carrier-west");
        Assert.Equal(4, outsider.Code);
    }

    [Fact]
    public async Task BadLines_AreNamed_AndNothingIsSent()
    {
        var numbers = Write("bad-numbers.csv", ["+8617100000001", "+8617100000002,\"unclosed"]);
        var sent = await Afx.RunAsync("bulk", "send", "--hub", Address, "--as", "police-shenzhen", "--to", "carrier-east", "--kind", "suspend-numbers",
            "--file", numbers, "--case", "SZ-CUT-1", "--officer", "Wang Jianguo");
        Assert.Equal(2, sent.Code);
        Assert.Contains("line 2, column 2: a quoted field is not closed", sent.Err);

        var refused = Write("bad-results.csv", ["order_id,item_no,outcome,reason,done_at", "ex-x,1,done", "ex-x,2,refused,"]);
        var answered = await Afx.RunAsync("bulk", "answer", "--hub", Address, "--as", "carrier-east", "--file", refused);
        Assert.Equal(2, answered.Code);
        Assert.Contains("line 3, column 4 (reason): required when the item is refused", answered.Err);

        var wrongKind = await Afx.RunAsync("bulk", "send", "--hub", Address, "--as", "police-shenzhen", "--to", "bank-alpha", "--kind", "suspend-numbers",
            "--file", Write("ok.csv", ["+8617100000001"]), "--case", "SZ-CUT-1", "--officer", "Wang Jianguo");
        Assert.Equal(1, wrongKind.Code);
        Assert.Contains("recipient: a bulk order goes to a carrier, but 'bank-alpha' is a bank", wrongKind.Err);
    }

    [Fact]
    public async Task ASimulatedCarrier_FetchesAndAnswersABulkOrder()
    {
        var tag = Random.Shared.Next(100_000, 999_999);
        var numbers = Write("sim-numbers.csv", Enumerable.Range(1, 1500).Select(n => $"+86174{tag:D6}{n % 100:D2}"));
        var sent = await Afx.RunAsync("bulk", "send", "--hub", Address, "--as", "police-shenzhen", "--to", "carrier-west", "--kind", "suspend-numbers",
            "--file", numbers, "--case", "SZ-SIM-" + tag, "--officer", "Wang Jianguo", "--json");
        Assert.True(sent.Code == 0, sent.Err);
        var order = JsonDocument.Parse(sent.Out).RootElement.GetProperty("orderId").GetString()!;

        using var simulator = TestSupport.DotnetProcess.Start(TestSupport.DevPki.BuiltDll("src/Clients", "afx.dll"),
            ["serve-sim", "--hub", Address, "--as", "carrier-west", "--kind", "carrier", "--latency", "00:00:00"]);
        Afx.Run? status = null;
        for (var look = 0; look < 120 && status?.Out.Contains("ANSWERED", StringComparison.Ordinal) != true; look++)
        {
            await Task.Delay(500);
            status = await Afx.RunAsync("bulk", "status", order, "--hub", Address, "--as", "police-shenzhen");
        }

        Assert.Contains("ANSWERED", status!.Out);
        Assert.Contains("1,500/1,500 answered: 1,350 done, 150 not our customer", status.Out);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
