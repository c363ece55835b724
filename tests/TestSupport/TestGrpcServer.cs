using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 speaking HTTP/2 over TLS with the dev server certificate,
/// serving the interop test service (grpc-dotnet), health and reflection: the peer of the grpc-js
/// interop tests and the ceiling of the wire benchmark.
/// </summary>
public sealed class TestGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGrpcServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"https://127.0.0.1:{Port}";

    public IServiceProvider Services => _app.Services;

    public static async Task<TestGrpcServer> StartAsync(
        Action<IServiceCollection>? services = null,
        Action<GrpcServiceOptions>? grpc = null,
        bool requireClientCertificate = false,
        int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var serverCert = DevPki.ServerCertificate();
        var chain = DevPki.ServerChain();
        var root = DevPki.RootCa();
        var issuing = DevPki.IssuingCa();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCert;
                    https.ServerCertificateChain = chain;
                    if (requireClientCertificate)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (cert, _, _) =>
                        {
                            using var c = new X509Chain();
                            c.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                            c.ChainPolicy.CustomTrustStore.Add(root);
                            c.ChainPolicy.ExtraStore.Add(issuing);
                            c.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                            return c.Build(cert);
                        };
                    }
                });
            });
        });
        builder.Services.AddGrpc(options =>
        {
            // The interop peer sends 3 MiB and asks for 10 MiB; above 4 MiB a request is refused.
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
            options.MaxSendMessageSize = 16 * 1024 * 1024;
            grpc?.Invoke(options);
        });
        builder.Services.AddGrpcHealthChecks().AddCheck("interop", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton(TimeProvider.System);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<InteropTestService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestGrpcServer(app, new Uri(address).Port);
    }

    /// <summary>A channel to this server that trusts only the dev root CA, optionally presenting a partner certificate.</summary>
    public GrpcChannel CreateChannel(string? partner = "police-shenzhen", Action<GrpcChannelOptions>? configure = null)
    {
        var options = DevPki.ChannelOptions(partner);
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(Address, options);
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
