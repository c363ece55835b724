using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Hub.Hosting;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Hub.Tests;

/// <summary>The real hub, in-process, on 127.0.0.1:0 with the committed dev certificates.</summary>
public sealed class HubFixture : IAsyncLifetime
{
    private WebApplication _app = null!;

    public int Port { get; private set; }

    public string Address => $"https://127.0.0.1:{Port}";

    /// <summary>The operations port (plain HTTP: /healthz, /readyz, /metrics), or null when it is off.</summary>
    public Uri? OpsAddress { get; private set; }

    public IServiceProvider Services => _app.Services;

    public static WebApplication Build(params string[] settings) => Build(null, settings);

    /// <summary>Builds the hub; <paramref name="services"/> runs before AddHub, so tests can put in their own audit sink or clock.</summary>
    public static WebApplication Build(Action<IServiceCollection>? services, params string[] settings)
    {
        // Each hub gets its own store unless the test names one.
        var store = settings.Any(s => s.StartsWith("--Hub:Store:Path=", StringComparison.Ordinal))
            ? []
            : new[] { $"--Hub:Store:Path={Path.Combine(Path.GetTempPath(), "afx-hub-" + Guid.NewGuid().ToString("N")[..8], "hub.db")}" };
        var builder = HubHost.CreateBuilder(["--environment=Development", "--Hub:Listen=127.0.0.1:0", .. store, .. settings]);
        services?.Invoke(builder.Services);
        builder.AddHub();
        builder.Logging.SetMinimumLevel(Environment.GetEnvironmentVariable("AFX_TEST_LOG") == "1" ? LogLevel.Information : LogLevel.Warning);
        var app = builder.Build();
        app.MapHub();
        return app;
    }

    public async Task InitializeAsync() => await StartAsync(Build());

    public async Task StartAsync(WebApplication app)
    {
        _app = app;
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Port = new Uri(addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal))).Port;
        OpsAddress = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) is { } ops ? new Uri(ops) : null;
    }

    /// <summary>A channel presenting the certificate in these PEM files.</summary>
    public GrpcChannel Channel(string certPath, string keyPath) =>
        GrpcChannel.ForAddress(Address, new GrpcChannelOptions().TrustOnly(DevPki.RootCaPath).UsePartnerCertificate(certPath, keyPath));

    public GrpcChannel Channel(string? partner) => GrpcChannel.ForAddress(Address, DevPki.ChannelOptions(partner));

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
