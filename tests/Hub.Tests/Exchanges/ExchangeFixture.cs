using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>
/// A hub on a fresh SQLite store, with the dev partners plus a third bank (bank-gamma, certificate
/// minted for the test) and an auditor, all connected over mTLS. <see cref="RedisExchangeFixture"/> is
/// the same hub on a private Redis: the behavioural suites run against both.
/// </summary>
public class ExchangeFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Settings that choose the store; none for the embedded default.</summary>
    protected virtual string[] StoreSettings => [];
    public TestCertificates Certs { get; } = new();

    public HubFixture Hub { get; } = new();

    public RecordingAuditSink Audit { get; } = new();

    public Partner Police { get; private set; } = null!;

    public Partner OtherPolice { get; private set; } = null!;

    public Partner BankAlpha { get; private set; } = null!;

    public Partner BankBeta { get; private set; } = null!;

    public Partner BankGamma { get; private set; } = null!;

    public Partner Carrier { get; private set; } = null!;

    public Partner Auditor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var gamma = Certs.Issue("bank", "bank-gamma");
        var registry = Certs.WriteRegistry(
            ("police-shenzhen", "police", true), ("police-guangzhou", "police", true),
            ("bank-alpha", "bank", true), ("bank-beta", "bank", true), ("bank-gamma", "bank", true),
            ("carrier-east", "carrier", true), ("carrier-west", "carrier", true), ("auditor-national", "auditor", true));
        await Hub.StartAsync(HubFixture.Build(s => s.AddSingleton<IAuditSink>(Audit), [$"--Hub:Partners:RegistryPath={registry}", .. StoreSettings]));
        Police = new Partner(Hub, "police-shenzhen");
        OtherPolice = new Partner(Hub, "police-guangzhou");
        BankAlpha = new Partner(Hub, "bank-alpha");
        BankBeta = new Partner(Hub, "bank-beta");
        BankGamma = new Partner(Hub, "bank-gamma", gamma.Cert, gamma.Key);
        Carrier = new Partner(Hub, "carrier-east");
        Auditor = new Partner(Hub, "auditor-national");
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var p in new[] { Police, OtherPolice, BankAlpha, BankBeta, BankGamma, Carrier, Auditor })
        {
            p.Dispose();
        }

        await Hub.DisposeAsync();
        Certs.Dispose();
    }
}

/// <summary>The exchange fixture on its own redis-server (AOF, fsync always).</summary>
public sealed class RedisExchangeFixture : ExchangeFixture
{
    private readonly RedisServer _redis = RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _redis.Dispose();
    }
}
