using System.Diagnostics;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

/// <summary>An operator's day: onboard a partner, enable it, cut it off, all while the hub runs.</summary>
public sealed class OnboardingTests
{
    [Fact]
    public async Task Registry_EditedWhileRunning_TakesEffectWithoutRestart_AndABadEditKeepsTheLastGoodOne()
    {
        using var certs = new TestCertificates();
        var partner = certs.Issue("bank", "bank-new");
        var registry = certs.WriteRegistry(("bank-new", "bank", false));
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build($"--Hub:Partners:RegistryPath={registry}"));
        using var channel = hub.Channel(partner.Cert, partner.Key);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
        Assert.Contains("disabled", refused.Status.Detail, StringComparison.Ordinal);

        certs.WriteRegistry(("bank-new", "bank", true));
        await Eventually(async () => (await Check(channel)).Status == HealthCheckResponse.Types.ServingStatus.Serving);

        await File.WriteAllTextAsync(registry, "{ \"partners\": [ { \"id\": \"BAD ID\" } ] }");
        await Task.Delay(1500);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Check(channel)).Status);
    }

    [Fact]
    public async Task PkiScript_IssueThenRevoke_PartnerIsServedThenCutOffOnItsOpenConnection()
    {
        var root = Path.Combine(Path.GetTempPath(), "afx-pki-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyDirectory(DevPki.CertsDir, root);
            await Run(root, "issue", "bank", "bank-gamma");
            var registry = Path.Combine(root, "partners.json");
            await File.WriteAllTextAsync(registry, """{ "partners": [ { "id": "bank-gamma", "kind": "bank", "displayName": "Gamma", "enabled": true } ] }""");

            await using var hub = new HubFixture();
            await hub.StartAsync(HubFixture.Build(
                $"--Hub:Partners:RegistryPath={registry}",
                $"--Hub:Tls:ClientCaPath={root}/ca/root.crt",
                $"--Hub:Tls:IntermediatesPath={root}/ca/issuing.crt",
                $"--Hub:Tls:CrlPath={root}/ca/crl.pem"));
            using var channel = hub.Channel($"{root}/partners/bank-gamma.crt", $"{root}/partners/bank-gamma.key");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Check(channel)).Status);

            await Run(root, "revoke", "bank-gamma");

            await Eventually(async () =>
            {
                var ex = await Assert.ThrowsAnyAsync<Exception>(() => Check(channel));
                return ex is RpcException { StatusCode: StatusCode.Unauthenticated } rpc && rpc.Status.Detail.Contains("revoked", StringComparison.Ordinal);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task<HealthCheckResponse> Check(Grpc.Net.Client.GrpcChannel channel) =>
        new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync;

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        // Bounded by count, not by the clock: a busy machine makes each attempt slower, not fewer.
        const int Attempts = 50;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception) when (attempt < Attempts)
            {
                // Not yet.
            }

            if (attempt >= Attempts)
            {
                Assert.Fail($"condition not met after {Attempts} attempts");
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task PkiScript_IssuingTwice_IsRefused_AndReplaceRevokesTheFirst_SoItIsRefusedAtTheHub()
    {
        var root = Path.Combine(Path.GetTempPath(), "afx-pki-" + Guid.NewGuid().ToString("N")[..8]);
        var first = Path.Combine(Path.GetTempPath(), "afx-pki-first-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyDirectory(DevPki.CertsDir, root);
            await Run(root, "issue", "bank", "bank-delta");
            Directory.CreateDirectory(first);
            File.Copy($"{root}/partners/bank-delta.crt", $"{first}/bank-delta.crt");
            File.Copy($"{root}/partners/bank-delta.key", $"{first}/bank-delta.key");

            var (code, output) = await RunToExit(root, "issue", "bank", "bank-delta");
            Assert.Equal(2, code);
            Assert.Contains("already has a valid certificate", output, StringComparison.Ordinal);

            await Run(root, "issue", "bank", "bank-delta", "--replace");
            var registry = Path.Combine(root, "partners.json");
            await File.WriteAllTextAsync(registry, """{ "partners": [ { "id": "bank-delta", "kind": "bank", "displayName": "Delta", "enabled": true } ] }""");
            await using var hub = new HubFixture();
            await hub.StartAsync(HubFixture.Build($"--Hub:Partners:RegistryPath={registry}", $"--Hub:Tls:ClientCaPath={root}/ca/root.crt",
                $"--Hub:Tls:IntermediatesPath={root}/ca/issuing.crt", $"--Hub:Tls:CrlPath={root}/ca/crl.pem"));
            using var replaced = hub.Channel($"{first}/bank-delta.crt", $"{first}/bank-delta.key");
            var refused = await Assert.ThrowsAsync<RpcException>(() => Check(replaced));
            Assert.Contains("revoked", refused.Status.Detail, StringComparison.Ordinal);
            using var current = hub.Channel($"{root}/partners/bank-delta.crt", $"{root}/partners/bank-delta.key");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Check(current)).Status);

            // Revoking the partner revokes every certificate it still holds.
            await Run(root, "revoke", "bank-delta");
            var (again, none) = await RunToExit(root, "revoke", "bank-delta");
            Assert.Equal(2, again);
            Assert.Contains("no valid certificate", none, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(first, recursive: true);
        }
    }

    [Fact]
    public async Task PkiScript_IssuesAHubCertificateForARealHostName()
    {
        var root = Path.Combine(Path.GetTempPath(), "afx-pki-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyDirectory(DevPki.CertsDir, root);
            await Run(root, "hub", "hub.pilot.example", "10.20.30.40", "--dir", $"{root}/pilot");
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile($"{root}/pilot/hub.crt");
            Assert.True(certificate.MatchesHostname("hub.pilot.example"));
            Assert.True(certificate.MatchesHostname("10.20.30.40"));
            Assert.False(certificate.MatchesHostname("localhost"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> RunToExit(string root, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(root, "pki.sh"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private static async Task Run(string root, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(root, "pki.sh"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pki.sh {string.Join(' ', args)} failed: {output}");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
