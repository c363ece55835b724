using System.Text.Json;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Protocol.Tests.Interop;

/// <summary>Runs the grpc-js client checks once against a real mTLS server of ours.</summary>
public sealed class GrpcJsClientRun : IAsyncLifetime
{
    public Dictionary<string, (bool Ok, string Detail)> Results { get; } = [];

    public string RawOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await using var server = await TestGrpcServer.StartAsync(requireClientCertificate: true);
        var (exit, stdout, stderr) = await NodePeer.RunAsync("client.js",
        [
            "--target", $"127.0.0.1:{server.Port}",
            "--ca", DevPki.RootCaPath,
            "--cert", DevPki.PartnerCertPath("bank-alpha"),
            "--key", DevPki.PartnerKeyPath("bank-alpha"),
        ], TimeSpan.FromMinutes(3));
        RawOutput = stdout + stderr;
        if (exit != 0)
        {
            throw new InvalidOperationException($"node client.js exited {exit}: {RawOutput}");
        }

        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Results[root.GetProperty("name").GetString()!] = (root.GetProperty("ok").GetBoolean(), root.GetProperty("detail").GetString()!);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// @grpc/grpc-js, with its own HTTP/2 and TLS stacks (node's), as a client of our wire layer. Each
/// check is one behaviour an independent implementation relies on.
/// </summary>
public sealed class GrpcJsClientTests(GrpcJsClientRun run) : IClassFixture<GrpcJsClientRun>
{
    [Theory]
    [InlineData("unary_echo_metadata_trailers")]
    [InlineData("server_streaming_in_order")]
    [InlineData("client_streaming")]
    [InlineData("duplex_ping_pong")]
    [InlineData("error_trailers_only")]
    [InlineData("deadline_exceeded")]
    [InlineData("deadline_propagated")]
    [InlineData("large_messages")]
    [InlineData("too_large_is_resource_exhausted")]
    [InlineData("unknown_method_unimplemented")]
    [InlineData("gzip_request")]
    [InlineData("health_check")]
    [InlineData("reflection_list_services")]
    public void GrpcJsClient_Check_Passes(string check)
    {
        Assert.True(run.Results.TryGetValue(check, out var result), $"check {check} did not run. Output: {run.RawOutput}");
        Assert.True(result.Ok, $"{check}: {result.Detail}");
    }
}
