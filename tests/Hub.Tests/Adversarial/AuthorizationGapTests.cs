using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Adversarial;

/// <summary>References to other exchanges, revocation on open streams, replayed and stale CRLs, and where trust comes from.</summary>
public sealed class AuthorizationGapTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    [Fact]
    public async Task FreezeRelease_OfAnotherCentresFreeze_IsPermissionDenied()
    {
        var freeze = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000017001", 100_00, caseRef: Requests.Case("SZ-REL-1")));

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.OtherPolice.Exchange.SubmitAsync(
            Release(freeze.ExchangeId, "bank-alpha", "6222000000017001", "GZ-REL-1")).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.StartsWith("request.freeze_release.freeze_exchange_id:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("police-shenzhen", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreezeRelease_MustNameAFreeze_AtTheSameBank_OnTheSameAccount()
    {
        var freeze = await f.Police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000017002", 100_00, caseRef: Requests.Case("SZ-REL-2")));
        var stop = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222000000017002", 100_00, caseRef: Requests.Case("SZ-REL-2")));

        var otherBank = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(
            Release(freeze.ExchangeId, "bank-beta", "6222000000017002", "SZ-REL-2")).ResponseAsync);
        var otherAccount = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(
            Release(freeze.ExchangeId, "bank-alpha", "6222000000099999", "SZ-REL-2")).ResponseAsync);
        var notAFreeze = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(
            Release(stop.ExchangeId, "bank-alpha", "6222000000017002", "SZ-REL-2")).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, otherBank.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, otherAccount.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, notAFreeze.StatusCode);
        Assert.All(new[] { otherBank, otherAccount, notAFreeze },
            e => Assert.StartsWith("request.freeze_release.freeze_exchange_id:", e.Status.Detail, StringComparison.Ordinal));

        var released = await f.Police.Exchange.SubmitAsync(Release(freeze.ExchangeId, "bank-alpha", "6222000000017002", "SZ-REL-2"));
        Assert.Equal(ExchangeState.Submitted, released.State);
    }

    [Fact]
    public async Task StopPaymentRenewal_OfAnotherAccount_IsInvalidArgument()
    {
        var stop = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222000000017003", 100_00, caseRef: Requests.Case("SZ-REN-1")));
        var renewal = Requests.StopPayment("bank-alpha", "6222000000017999", 100_00, caseRef: Requests.Case("SZ-REN-1"));
        renewal.Request.StopPayment.RenewsExchangeId = stop.ExchangeId;

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(renewal).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("request.stop_payment.renews_exchange_id:", ex.Status.Detail, StringComparison.Ordinal);
    }

    private static SubmitRequest Release(string freezeId, string bank, string account, string caseNumber) => new()
    {
        IdempotencyKey = Requests.NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = Priority.High,
        Case = Requests.Case(caseNumber),
        Request = new Request
        {
            FreezeRelease = new FreezeRelease
            {
                FreezeExchangeId = freezeId,
                Account = new AccountRef { BankId = bank, AccountNumber = account },
                Reason = "funds returned",
            },
        },
    };
}

/// <summary>A partner cut off while its streams are open: revoked, disabled, or let back in by a replayed CRL.</summary>
public sealed class RevocationOnOpenStreamsTests : IAsyncLifetime
{
    private readonly TestCertificates _certs = new();
    private readonly HubFixture _hub = new();
    private readonly RecordingAuditSink _audit = new();
    private (string Cert, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate) _bank;
    private string _registry = null!;

    public async Task InitializeAsync()
    {
        _bank = _certs.Issue("bank", "bank-cut");
        _registry = Registry(bankEnabled: true, policeEnabled: true);
        var crl = _certs.WriteCrl();
        await _hub.StartAsync(HubFixture.Build(s => s.AddSingleton<IAuditSink>(_audit), $"--Hub:Partners:RegistryPath={_registry}", $"--Hub:Tls:CrlPath={crl}"));
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _certs.Dispose();
    }

    private string Registry(bool bankEnabled, bool policeEnabled) => _certs.WriteRegistry(
        ("police-shenzhen", "police", policeEnabled), ("bank-cut", "bank", bankEnabled), ("bank-alpha", "bank", true));

    [Fact]
    public async Task RevokedBank_OpenSubscribeStream_EndsUnauthenticated_AndGetsNothingMore()
    {
        using var bank = _hub.Channel(_bank.Cert, _bank.Key);
        using var police = new Partner(_hub, "police-shenzhen");
        using var stream = await SubscribedWithOneDelivered(bank, police, "6222000000018001");

        _certs.WriteCrl(_bank.Certificate);
        await UntilRefused(bank);
        for (var i = 0; i < 3; i++)
        {
            // Addressed to a bank that can no longer collect: refused at once, saying why, not queued.
            var refused = await Assert.ThrowsAsync<RpcException>(() => police.Exchange.SubmitAsync(Requests.Freeze("bank-cut", $"62220000000181{i:D2}", 100_00)).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("recipient.id: 'bank-cut' cannot receive requests: its certificate (serial", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("is revoked", refused.Status.Detail, StringComparison.Ordinal);
        }

        // Another bank is still served, and the refusal is in the audit log.
        await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000018199", 100_00));
        Assert.Contains(_audit.Events, e => e.Kind == AuditEventKind.Denied && e.Detail.Contains("submission to 'bank-cut' refused", StringComparison.Ordinal));
        await EndsUnauthenticatedWithNothingMore(stream);
    }

    [Fact]
    public async Task DisabledBank_OpenSubscribeStream_Ends_AndSubmissionsToItAreRefused()
    {
        using var bank = _hub.Channel(_bank.Cert, _bank.Key);
        using var police = new Partner(_hub, "police-shenzhen");
        using var stream = await SubscribedWithOneDelivered(bank, police, "6222000000018401");

        Registry(bankEnabled: false, policeEnabled: true);
        await UntilRefused(bank);
        var refused = await Assert.ThrowsAsync<RpcException>(() => police.Exchange.SubmitAsync(Requests.Freeze("bank-cut", "6222000000018402", 100_00)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("recipient.id: 'bank-cut' is disabled", refused.Status.Detail, StringComparison.Ordinal);
        await EndsUnauthenticatedWithNothingMore(stream);
        Registry(bankEnabled: true, policeEnabled: true);
    }

    /// <summary>bank-cut's Subscribe stream, open and proven live by one delivered freeze.</summary>
    private static async Task<AsyncServerStreamingCall<InboxItem>> SubscribedWithOneDelivered(GrpcChannel bank, Partner police, string account)
    {
        var stream = new InboxClient(bank).Subscribe(new SubscribeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        await police.Exchange.SubmitAsync(Requests.Freeze("bank-cut", account, 100_00));
        Assert.True(await stream.ResponseStream.MoveNext());
        return stream;
    }

    private static async Task EndsUnauthenticatedWithNothingMore(AsyncServerStreamingCall<InboxItem> stream)
    {
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext())
            {
                Assert.Fail("delivered to a partner that was cut off: " + stream.ResponseStream.Current.ExchangeId);
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
    }

    /// <summary>
    /// What the hub learnt about a partner's certificates survives a restart, and a partner that rotated
    /// to a new certificate is served again: only a partner with no good certificate left is refused.
    /// </summary>
    [Fact]
    public async Task RevokedRecipient_IsRefusedAfterARestart_UntilItConnectsWithANewCertificate()
    {
        var store = $"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-revoked-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}";
        var crl = _certs.WriteCrl();
        string[] settings = [store, $"--Hub:Partners:RegistryPath={_registry}", $"--Hub:Tls:CrlPath={crl}"];
        var first = new HubFixture();
        await first.StartAsync(HubFixture.Build(settings));
        using (var bank = first.Channel(_bank.Cert, _bank.Key))
        {
            await Check(bank);
        }

        await first.DisposeAsync();
        _certs.WriteCrl(_bank.Certificate);
        var second = new HubFixture();
        await second.StartAsync(HubFixture.Build(settings));
        try
        {
            await RefusedUntilRenewed(second);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private async Task RefusedUntilRenewed(HubFixture second)
    {
        using var police = new Partner(second, "police-shenzhen");
        var refused = await Assert.ThrowsAsync<RpcException>(() => police.Exchange.SubmitAsync(Requests.Freeze("bank-cut", "6222000000018301", 100_00)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

        var renewed = _certs.Issue("bank", "bank-cut", name: "bank-cut-2");
        using (var bank = second.Channel(renewed.Cert, renewed.Key))
        {
            await Check(bank);
        }

        var accepted = await police.Exchange.SubmitAsync(Requests.Freeze("bank-cut", "6222000000018302", 100_00));
        Assert.False(string.IsNullOrEmpty(accepted.ExchangeId));
    }

    [Fact]
    public async Task DisabledPolice_OpenWatchStream_EndsUnauthenticated()
    {
        using var police = new Partner(_hub, "police-shenzhen");
        var submitted = await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000018201", 100_00, caseRef: Requests.Case("SZ-CUT-W")));
        using var watch = police.Exchange.Watch(new WatchRequest { CaseNumber = "SZ-CUT-W" }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(60)));
        Assert.True(await watch.ResponseStream.MoveNext());

        Registry(bankEnabled: true, policeEnabled: false);
        await UntilRefused(police.Channel);
        using var bank = new Partner(_hub, "bank-alpha");
        await bank.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });

        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext())
            {
                Assert.True(watch.ResponseStream.Current.Sequence > 0);
                Assert.NotEqual(ExchangeState.Acknowledged, watch.ResponseStream.Current.Transition?.To);
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Registry(bankEnabled: true, policeEnabled: true);
    }

    /// <summary>An older CRL put back in place must not un-revoke anyone; a newer one may.</summary>
    [Fact]
    public async Task ReplayedOlderCrl_DoesNotUnrevoke()
    {
        var other = _certs.Issue("bank", "bank-alpha", name: "alpha-2");
        using var channel = _hub.Channel(other.Cert, other.Key);
        _certs.WriteCrl(100, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7), other.Certificate);
        await UntilRefused(channel);

        _certs.WriteCrl(50, DateTimeOffset.UtcNow.AddMinutes(-4), DateTimeOffset.UtcNow.AddDays(7));
        for (var i = 0; i < 25; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
            await Task.Delay(100);
        }

        _certs.WriteCrl(101, DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow.AddDays(7));
        await Until(async () => (await Check(channel)).Status == HealthCheckResponse.Types.ServingStatus.Serving);
    }

    private static Task<HealthCheckResponse> Check(GrpcChannel channel) =>
        new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync;

    /// <summary>Waits (at most 100 checks) until the hub refuses the channel's partner.</summary>
    private static Task UntilRefused(GrpcChannel channel) => Until(async () =>
    {
        try
        {
            await Check(channel);
            return false;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
        {
            return true;
        }
    });

    private static async Task Until(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (RpcException)
            {
                // Not yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail("condition not met after 100 checks");
    }
}

/// <summary>Trust comes from the hub's own configuration, never from wherever it was started.</summary>
public sealed class TrustAnchorTests
{
    [Fact]
    public async Task StaleCrl_PastItsNextUpdate_FailsClosed_UnlessConfiguredToWarn()
    {
        using var certs = new TestCertificates();
        var crl = certs.WriteCrl(7, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        await using (var strict = new HubFixture())
        {
            await strict.StartAsync(HubFixture.Build($"--Hub:Tls:CrlPath={crl}"));
            using var bank = strict.Channel("bank-alpha");
            var ex = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(bank).CheckAsync(new HealthCheckRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
            Assert.Contains("revocation list", ex.Status.Detail, StringComparison.Ordinal);
        }

        await using var lenient = new HubFixture();
        await lenient.StartAsync(HubFixture.Build($"--Hub:Tls:CrlPath={crl}", "--Hub:Tls:StaleCrl=warn"));
        using var served = lenient.Channel("bank-alpha");
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new HealthClient(served).CheckAsync(new HealthCheckRequest())).Status);
    }

    /// <summary>
    /// Started from a folder where someone planted their own certs-dev/ca/root.crt: the hub still trusts
    /// only its configured root. The real bank is served; a bank forged under the planted root is refused.
    /// </summary>
    [Fact]
    public async Task PlantedRootInTheWorkingDirectory_IsIgnored()
    {
        using var certs = new TestCertificates();
        var forged = certs.Issue("bank", "bank-alpha", name: "forged", foreign: true);
        var planted = Path.Combine(certs.Dir, "cwd");
        Directory.CreateDirectory(Path.Combine(planted, "certs-dev", "ca"));
        // The forged certificate file holds the foreign CA after the leaf: plant that CA as the root.
        var pem = await File.ReadAllTextAsync(forged.Cert);
        var ca = pem[pem.IndexOf("-----BEGIN CERTIFICATE-----", pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal), StringComparison.Ordinal)..];
        await File.WriteAllTextAsync(Path.Combine(planted, "certs-dev", "ca", "root.crt"), ca);
        await File.WriteAllTextAsync(Path.Combine(planted, "certs-dev", "ca", "issuing.crt"), ca);

        using var hub = await HubProcess.StartAsync([$"--Hub:Store:Path={Path.Combine(certs.Dir, "data", "hub.db")}"], planted, null);
        using var real = GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions("bank-alpha"));
        using var fake = GrpcChannel.ForAddress(hub.Address, new GrpcChannelOptions().TrustOnly(DevPki.RootCaPath).UsePartnerCertificate(forged.Cert, forged.Key));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new HealthClient(real).CheckAsync(new HealthCheckRequest())).Status);
        await Assert.ThrowsAsync<RpcException>(() => new HealthClient(fake).CheckAsync(new HealthCheckRequest()).ResponseAsync);
    }

    [Fact]
    public async Task DevelopmentKeys_InProduction_RefuseToStart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-prod-" + Guid.NewGuid().ToString("N")[..8]);
        var (exitCode, output) = await HubProcess.RunToExitAsync([$"--Hub:Store:Path={dir}/hub.db"], TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("development", output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Production", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
