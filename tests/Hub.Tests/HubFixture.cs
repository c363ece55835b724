using AntiFraud.Exchange.Hub.Hosting;
using AntiFraud.Exchange.Protocol.Wire.Client;
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

    public IServiceProvider Services => _app.Services;

    public static WebApplication Build(params string[] settings)
    {
        var builder = HubHost.CreateBuilder(["--Hub:Listen=127.0.0.1:0", .. settings]);
        builder.AddHub();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapHub();
        return app;
    }

    public async Task InitializeAsync()
    {
        _app = Build();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    public GrpcChannel Channel(string? partner)
    {
        var options = new GrpcChannelOptions().TrustOnly(DevPki.RootCaPath);
        if (partner is not null)
        {
            options.UsePartnerCertificate(DevPki.PartnerCertPath(partner), DevPki.PartnerKeyPath(partner));
        }

        return GrpcChannel.ForAddress(Address, options);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
