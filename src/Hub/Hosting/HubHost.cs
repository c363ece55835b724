using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Bulk;
using AntiFraud.Exchange.Hub.Lists;
using Grpc.Net.Compression;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Observability;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Replication;
using AntiFraud.Exchange.Hub.Services;
using AntiFraud.Exchange.Hub.WebConsole;
using AntiFraud.Exchange.Hub.Shared;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>The hub's wiring, kept out of Program.cs.</summary>
public static class HubHost
{
    /// <summary>A builder whose content root is the build output, where appsettings.json is.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

    /// <summary>The hub's settings as it would read them from <paramref name="args"/> (appsettings, environment, command line) and the
    /// content root its paths resolve against: for the commands that work on a hub's files without starting it.</summary>
    internal static (HubOptions Options, HubPaths Paths) ReadSettings(string[] args)
    {
        var options = CreateBuilder(args).Configuration.GetSection(HubOptions.Section).Get<HubOptions>() ?? new HubOptions();
        return (options, HubPaths.For(options));
    }

    /// <summary>The services the hub serves, each answered by grpc.health.v1 as well as the whole server ("").</summary>
    private static readonly string[] HubServices =
    [
        Contract.V1.Exchange.Descriptor.FullName, Contract.V1.Inbox.Descriptor.FullName,
        Contract.V1.Audit.Descriptor.FullName, Contract.V1.Operations.Descriptor.FullName,
    ];

    /// <summary>The messages of an exception and its causes, for a start-up failure an operator must fix.</summary>
    public static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e is TargetInvocationException or AggregateException ? null : e.Message;
            if (message is not null && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return string.Join(" ", messages);
    }

    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(HubOptions.Section);
        var options = section.Get<HubOptions>() ?? new HubOptions();
        HubOptionsValidator.ThrowIfInvalid(options);
        builder.Services.AddOptions<HubOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HubOptions>, HubOptionsValidator>();
        var paths = HubPaths.For(options);
        var files = HubFiles.Resolve(options, paths);
        var tls = LoadTls(options.Tls, paths);
        var development = RefuseDevelopmentMaterialInProduction(builder.Environment, paths, tls,
            ("Hub:Tls:CertificatePath", tls.CertificatePath), ("Hub:Tls:ClientCaPath", tls.ClientRootPath),
            ("Hub:Audit:SigningKeyPath", files.SigningKey), ("Hub:Masking:SecretPath", files.MaskingSecret),
            ("Hub:Lists:KeyPath", files.ListKey), ("Hub:Store:KeyPath", files.StoreKey));
        PrivateFiles.Tighten(files.Store, files.AuditDirectory, Path.Combine(files.DataDirectory, "identity"));

        KeyFiles.RequirePrivate(files.MaskingSecret, "Hub:Masking:SecretPath", paths.IsDevelopmentMaterial(files.MaskingSecret));
        var storeKeyIsDev = paths.IsDevelopmentMaterial(files.StoreKey);
        var storeKey = StoreKeyring.ReadMasterKey(files.StoreKey, "Hub:Store:KeyPath", storeKeyIsDev);
        var previousStoreKey = StoreKeyring.ReadPrevious(files.StoreKey, storeKeyIsDev);
        if (!options.Store.EncryptAtRest && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException("Hub:Store:EncryptAtRest=false stores personal data in clear; it is accepted only in Development "
                + "(DOTNET_ENVIRONMENT=Development), for benchmarks.");
        }

        builder.Logging.AddConsole();
        builder.AddHubObservability(options.Ops, options.Ops.EndPoint(options.ListenEndPoint), options.Store.Provider,
            options.Store.Provider == "redis" ? ReplicaId(options) : Environment.MachineName.ToLowerInvariant());
        AddHostBasics(builder.Services, options, paths, development);
        builder.Services
            .AddHubIdentity(tls, files.Registry, Path.Combine(files.DataDirectory, "identity"), options.Tls.StaleCrlMode)
            .AddHubAudit(files.AuditDirectory, AuditOrigin(options), files.SigningKey, files.MaskingSecret, options.Audit.FullCheckBelowEntries)
            .AddHubStore(options.Store, files.Store, storeKey, previousStoreKey)
            .AddHubDelivery()
            .AddHubDeadlines(files.DeadlinePolicy)
            .AddHubMasking(files.MaskingPolicy, files.MaskingSecret, paths.IsDevelopmentMaterial(files.MaskingSecret))
            .AddHubExchanges()
            .AddHubAlerts(files.AlertPolicy)
            .AddHubLists(options.Lists, files.ListKey)
            .AddHubBulkOrders(options.Bulk)
            .AddSingleton<ComplianceCalculator>()
            .AddHubRetention(files.RetentionPolicy)
            .AddSingleton<FreshCheckpointLimit>()
            .AddHubConsole();
        builder.Services.AddHostedService(sp => new StoreKeyWatcher(sp.GetRequiredService<IStoreKeyRing>(), files.StoreKey, storeKeyIsDev,
            sp.GetRequiredService<ConfigurationJournal>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<BackgroundFaults>(),
            sp.GetRequiredService<ILogger<StoreKeyWatcher>>()));
        if (options.Store.Provider == "redis")
        {
            builder.Services.AddHubReplication(ReplicaId(options));
        }

        ConfigureKestrel(builder, options);
        AddGrpcEdge(builder, options);
        return builder;
    }

    private static void AddHostBasics(IServiceCollection services, HubOptions options, HubPaths paths, bool development)
    {
        services.AddSingleton(paths);
        services.AddSingleton(new DevelopmentMaterial(development));
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds);
            // Every background service logs, counts and carries on (BackgroundFaults); this is the last line.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });
        services.AddSingleton<BackgroundFaults>();
        services.AddSingleton<ConfigurationJournal>();
        services.AddHostedService<ConfigurationAudit>();
        services.AddSingleton<TlsHandshake>();
        services.AddHostedService<ConfigurationWatcher>();
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, HubOptions options)
    {
        var endpoint = options.ListenEndPoint;
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var limits = options.Limits;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.MaxStreamsPerConnection;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            // A request trickling in holds its buffers: cut it off (client and bidirectional streams are exempt per call).
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(kestrel.ApplicationServices.GetRequiredService<TlsHandshake>().Options());
            });
            if (options.Ops.EndPoint(endpoint) is { } ops)
            {
                // Plain HTTP/1.1 for probes and scrapers; it answers /healthz, /readyz and /metrics only (MapOps).
                kestrel.Listen(ops, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
    }

    /// <summary>gRPC with the hub's edge (bounds, refusals to statuses, strict parsing), reflection and health.</summary>
    private static void AddGrpcEdge(WebApplicationBuilder builder, HubOptions options)
    {
        var limits = options.Limits;
        builder.Services.AddSingleton(new RequestBodyBudget(limits.MaxBufferedPerConnectionMiB * 1024L * 1024,
            limits.MaxBufferedTotalMiB * 1024L * 1024));
        var grpc = builder.Configuration.GetSection("Hub:Grpc").Get<HubGrpcOptions>() ?? new HubGrpcOptions();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = grpc.MaxReceiveMessageSize;
            o.MaxSendMessageSize = grpc.MaxSendMessageSize;
            o.EnableDetailedErrors = false;
            o.CompressionProviders =
            [
                new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest),
                new DeflateCompressionProvider(System.IO.Compression.CompressionLevel.Fastest),
            ];
            o.Interceptors.Add<HubEdgeInterceptor>();
        });
        builder.Services.AddSingleton<HubEdgeInterceptor>();
        builder.Services.AddStrictRequestParsing();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o =>
            {
                // Check answers from the result the publisher computed within the last second: a partner
                // calling Check in a loop must not drive a store probe (a Redis round trip) per call.
                o.UseHealthChecksCache = true;
                foreach (var service in HubServices)
                {
                    o.Services.Map(service, _ => true);
                }
            })
            .AddCheck<HubHealthCheck>("store-and-audit");
        // Watch streams follow the checks' published results: look every second.
        builder.Services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.Zero;
            o.Period = TimeSpan.FromSeconds(1);
        });
    }

    /// <summary>
    /// The committed development PKI (certs-dev/) has public private keys: a hub whose environment is
    /// Production refuses to start with any of it. Development hubs say so loudly at start.
    /// </summary>
    private static bool RefuseDevelopmentMaterialInProduction(IHostEnvironment environment, HubPaths paths, HubTls tls,
        params (string Setting, string Path)[] files)
    {
        var development = files.Where(f => paths.IsDevelopmentMaterial(f.Path)).Select(f => f.Setting).ToList();
        if (tls.ClientRoot.Subject.Contains("AntiFraud.Exchange DEV", StringComparison.Ordinal)
            && !development.Contains("Hub:Tls:ClientCaPath"))
        {
            development.Add("Hub:Tls:ClientCaPath");
        }

        if (development.Count > 0 && environment.IsProduction())
        {
            throw new InvalidOperationException(
                $"{string.Join(", ", development)} point at the development PKI (certs-dev/), whose private keys are public in the repository. "
                + "The environment is Production, so the hub refuses to start. Configure your own CA, hub certificate, audit signing key and "
                + "masking secret; or, for a development hub only, set DOTNET_ENVIRONMENT=Development.");
        }

        return development.Count > 0;
    }

    /// <summary>
    /// Every replica on a shared store keeps its own audit log, named by its own origin
    /// ("&lt;Hub:Audit:Origin&gt;/&lt;replica id&gt;"), so each log has one appender and verifies on its own.
    /// </summary>
    private static string AuditOrigin(HubOptions options) =>
        options.Store.Provider == "redis" ? $"{options.Audit.Origin}/{ReplicaId(options)}" : options.Audit.Origin;

    /// <summary>Stable across restarts (it names the replica's audit log): the host name unless configured.</summary>
    private static string ReplicaId(HubOptions options) => options.ReplicaId ?? Environment.MachineName.ToLowerInvariant();

    /// <summary>
    /// Loads every operator-edited file with the hub's own parsers (registry, CRL, masking and deadline
    /// policies, TLS material) and says what is in force; throws, naming the file, when one is not valid.
    /// </summary>
    public static IEnumerable<string> CheckConfiguration(IServiceProvider services)
    {
        var tls = services.GetRequiredService<HubTls>();
        var registry = services.GetRequiredService<PartnerRegistry>();
        var crl = services.GetRequiredService<CrlStore>();
        _ = services.GetRequiredService<MaskingPolicy>().Current;
        _ = services.GetRequiredService<PseudonymKeys>();
        var deadlines = services.GetRequiredService<DeadlinePolicy>();
        _ = deadlines.Current;
        var retention = services.GetRequiredService<RetentionPolicy>().Current;
        return
        [
            $"OK  TLS: server certificate {tls.Server.Subject}, valid until {tls.Server.NotAfter.ToUniversalTime():u}; client root {tls.ClientRoot.Subject}",
            $"OK  partner registry {registry.Path}: {registry.All.Count} partners, {registry.All.Count(p => p.Enabled)} enabled",
            $"OK  revocation list: {crl.Describe()}",
            "OK  masking policy and pseudonym secret",
            $"OK  deadline policy {(deadlines.Path ?? "(built-in defaults)")}",
            $"OK  retention: exchanges {Kept(retention.Exchanges)} after ending, alerts {Kept(retention.Alerts)} after raising, list entries "
                + $"{Kept(retention.ListEntries)} after removal; cases under a legal hold are kept",
            "The configuration is valid.",
        ];
    }

    private static string Kept(TimeSpan? period) => period is { } p ? $"{p.TotalDays:0} days" : "for ever";

    public static WebApplication MapHub(this WebApplication app)
    {
        // Start-up fails here, loudly, on a bad registry or CRL rather than on the first call.
        _ = app.Services.GetRequiredService<PartnerRegistry>();
        _ = app.Services.GetRequiredService<CrlStore>();
        _ = app.Services.GetRequiredService<IExchangeStore>();
        _ = app.Services.GetRequiredService<IDeliveryMasker>();
        _ = app.Services.GetRequiredService<AuditLog>();
        var hubOptions = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;
        app.MapOps(hubOptions.Ops.EndPoint(hubOptions.ListenEndPoint) is not null);
        app.Use(app.Services.GetRequiredService<RequestBodyBudget>().InvokeAsync);
        app.UseAuthentication();
        app.UseMiddleware<RpcMetrics>();
        app.UseAuthorization();
        app.MapGrpcService<ExchangeService>();
        app.MapGrpcService<InboxService>();
        app.MapGrpcService<AlertsService>();
        app.MapGrpcService<RiskListsService>();
        app.MapGrpcService<BulkOrdersService>();
        app.MapGrpcService<AuditService>();
        app.MapGrpcService<OperationsService>();
        app.MapConsole();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Hub");
        var options = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;
        var tls = app.Services.GetRequiredService<HubTls>();
        var addressFile = string.IsNullOrEmpty(options.AddressFile) ? null : app.Services.GetRequiredService<HubPaths>().Resolve(options.AddressFile);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            HubLog.Certificates(logger, tls.Server.Subject, tls.Server.NotAfter.ToUniversalTime(), tls.ClientRoot.Subject);
            if (app.Services.GetRequiredService<DevelopmentMaterial>().InUse)
            {
                HubLog.DevelopmentMaterial(logger, app.Services.GetRequiredService<HubPaths>().Root);
            }
            var partnerUrl = app.Urls.First(u => u.StartsWith("https://", StringComparison.Ordinal));
            var opsUrl = app.Urls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal));
            HubLog.Listening(logger, partnerUrl.Replace("https://", string.Empty, StringComparison.Ordinal));
            if (opsUrl is not null)
            {
                HubLog.OpsListening(logger, opsUrl);
                if (!IPAddress.IsLoopback(options.Ops.EndPoint(options.ListenEndPoint)!.Address))
                {
                    HubLog.OpsNotLoopback(logger, opsUrl);
                }
            }

            if (addressFile is not null)
            {
                // Written whole, then renamed: a tool polling for the file never reads half an address.
                Directory.CreateDirectory(Path.GetDirectoryName(addressFile)!);
                File.WriteAllText(addressFile + ".tmp", partnerUrl + "\n" + (opsUrl is null ? string.Empty : "ops " + opsUrl + "\n"));
                File.Move(addressFile + ".tmp", addressFile, overwrite: true);
            }
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            HubLog.Stopping(logger, options.ShutdownTimeoutSeconds);
            if (addressFile is not null)
            {
                File.Delete(addressFile);
            }
        });
        return app;
    }

    /// <summary>Fails start-up with a clear message when a file the hub needs cannot be read.</summary>
    private static HubTls LoadTls(HubTlsOptions tls, HubPaths paths)
    {
        var certPath = paths.ResolveExisting(tls.CertificatePath, "Hub:Tls:CertificatePath");
        var keyPath = paths.ResolveExisting(tls.KeyPath, "Hub:Tls:KeyPath");
        var rootPath = paths.ResolveExisting(tls.ClientCaPath, "Hub:Tls:ClientCaPath");

        var server = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        var serverChain = new X509Certificate2Collection();
        serverChain.ImportFromPemFile(certPath);
        var intermediates = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(tls.IntermediatesPath))
        {
            intermediates.ImportFromPemFile(paths.ResolveExisting(tls.IntermediatesPath, "Hub:Tls:IntermediatesPath"));
        }

        var root = X509CertificateLoader.LoadCertificateFromFile(rootPath);
        var crlPath = string.IsNullOrEmpty(tls.CrlPath) ? null : paths.ResolveExisting(tls.CrlPath, "Hub:Tls:CrlPath");
        return new HubTls(server, serverChain, root, intermediates, crlPath, certPath, rootPath, keyPath);
    }
}
