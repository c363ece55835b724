using System.Text.Json;

namespace AntiFraud.Exchange.Clients.Tests;

/// <summary>The demo and the load tools, each starting its own hub process as a newcomer would.</summary>
public sealed class DemoAndBenchTests
{
    [Fact]
    public async Task Demo_PlaysTheWholeCase_AndExitsZero()
    {
        var run = await Afx.RunAsync("demo", "--latency", "00:00:00.200");
        Assert.True(run.Code == 0, run.Out + run.Err);
        foreach (var step in new[] { "1. Victim reports", "2. Emergency stop-payment", "3. Money followed", "4a. Call traced", "4b. Number suspended",
                     "5a. Carrier warns", "5b. Bank pauses a transfer", "5c. Station alerted", "5d. Victim dissuaded", "6. Audit proofs verified",
                     "Every step happened" })
        {
            Assert.Contains(step, run.Out);
        }

        Assert.DoesNotContain("✗", run.Out);
        Assert.Contains("└ ex-", run.Out); // the follow-up hangs under the stop-payment in the fund-trace tree
    }

    [Fact]
    public async Task Demo_Json_ListsEveryStepAndTheFundTraceTree()
    {
        var run = await Afx.RunAsync("demo", "--latency", "00:00:00.100", "--json");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.Equal(10, report.GetProperty("steps").GetArrayLength());
        Assert.All(report.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("ok").GetBoolean()));
        var exchanges = report.GetProperty("exchanges").EnumerateArray().ToList();
        var root = exchanges.Single(e => e.GetProperty("to").GetString() == "bank-alpha");
        Assert.Contains(exchanges, e => e.GetProperty("parent").GetString() == root.GetProperty("exchange_id").GetString() && e.GetProperty("to").GetString() == "bank-beta");
    }

    [Fact]
    public async Task BenchAlerts_ShortRun_RaisesFusesAndDeliversToTheUnits()
    {
        var run = await Afx.RunAsync("bench", "alerts", "--duration", "00:00:03", "--concurrency", "8", "--json");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(report.GetProperty("raised").GetInt64() > 10);
        Assert.True(report.GetProperty("fused").GetInt64() > 0);
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        Assert.True(report.GetProperty("on_stream").GetInt64() > 0);
    }

    [Fact]
    public async Task Bench_ShortRun_AnswersEverythingItSubmitted_AndAuditsIt()
    {
        var run = await Afx.RunAsync("bench", "--duration", "00:00:03", "--concurrency", "16", "--mix", "freeze=50,stop-payment=20,trace=10,query=10,suspend=10", "--json");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var report = JsonDocument.Parse(run.Out).RootElement;
        var counts = report.GetProperty("counts");
        Assert.True(counts.GetProperty("submitted").GetInt64() > 100);
        Assert.True(counts.GetProperty("match").GetBoolean());
        Assert.Equal(counts.GetProperty("submitted").GetInt64(), counts.GetProperty("audited_answered").GetInt64());
        Assert.True(report.GetProperty("runs")[0].GetProperty("submit_p99_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Soak_HoldsEightyPercent_MemoryFlat_CountsMatch()
    {
        var run = await Afx.RunAsync("bench", "--soak", "--probe", "00:00:03", "--duration", "00:00:15", "--concurrency", "16", "--json");
        Assert.True(run.Code == 0, run.Out + run.Err);
        var report = JsonDocument.Parse(run.Out).RootElement;
        var runs = report.GetProperty("runs");
        Assert.Equal("capacity", runs[0].GetProperty("name").GetString());
        Assert.Equal("soak", runs[1].GetProperty("name").GetString());
        // Held near 80% of what the probe measured, not flat out.
        Assert.True(runs[1].GetProperty("submitted_per_s").GetDouble() < runs[0].GetProperty("answered_per_s").GetDouble());
        Assert.True(report.GetProperty("memory").GetProperty("flat").GetBoolean());
        Assert.True(report.GetProperty("counts").GetProperty("match").GetBoolean());
    }
}
