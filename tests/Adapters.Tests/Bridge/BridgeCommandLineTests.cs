using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>afx-bridge as an integration engineer types it.</summary>
public sealed class BridgeCommandLineTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var process = DotnetProcess.Start(DevPki.BuiltDll("src/Adapters", "afx-bridge.dll"), args);
        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(200);
        return (process.ExitCode, string.Join('\n', process.Log));
    }

    [Fact]
    public async Task DeadLettersList_WithoutAPartnerOrFolder_IsBadUsage_NotAnEmptyList()
    {
        var (code, output) = await RunAsync("dead-letters", "list");
        Assert.Equal(2, code);
        Assert.Contains("--partner", output);
        Assert.DoesNotContain("No dead letters", output);
    }

    [Fact]
    public async Task DeadLettersList_ForAFolderThatDoesNotExist_SaysSo()
    {
        var (code, output) = await RunAsync("dead-letters", "list", "--folder", "/nonexistent/bridge/bank-zeta");
        Assert.Equal(2, code);
        Assert.Contains("does not exist", output);
    }
}
