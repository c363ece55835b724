using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Protocol.Health;
using AntiFraud.Exchange.Protocol.Wire.Server;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Storage.Redis;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(HubOptions.Section);
        var options = section.Get<HubOptions>() ?? new HubOptions();
        builder.Services.Configure<HubOptions>(section);

        builder.Logging.AddConsole();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));

        var tls = LoadTls(options.Tls);
        builder.Services.AddSingleton(tls);
        var registryPath = HubPaths.ResolveExisting(options.Partners.RegistryPath, "Hub:Partners:RegistryPath");
        builder.Services.AddSingleton(sp => new PartnerRegistry(registryPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PartnerRegistry>>()));
        builder.Services.AddSingleton(sp => new CrlStore(tls.CrlPath, [.. tls.Intermediates, tls.ClientRoot], sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CrlStore>>()));
        builder.Services.AddSingleton<PartnerAuthenticator>();
        builder.Services.AddSingleton<IServerCallFilter, PartnerAuthenticationFilter>();
        var auditDirectory = options.Audit.Directory
            ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Store.Path))!, "audit");
        var signingKeyPath = HubPaths.ResolveExisting(options.Audit.SigningKeyPath, "Hub:Audit:SigningKeyPath");
        var secretPath = HubPaths.ResolveExisting(options.Masking.SecretPath, "Hub:Masking:SecretPath");
        builder.Services.AddSingleton(sp =>
        {
            var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(signingKeyPath));
            var commitmentKey = System.Security.Cryptography.HMACSHA256.HashData(
                Convert.FromHexString(File.ReadAllText(secretPath).Trim()), "afx-commitment-v1"u8);
            return new AuditLog(auditDirectory, AuditOrigin(options), key, commitmentKey, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditLog>>());
        });
        builder.Services.TryAddSingleton<IAuditSink>(sp => sp.GetRequiredService<AuditLog>());
        builder.Services.AddHostedService<AuditCheckpointer>();
        builder.Services.AddGrpcService<AuditService>();
        builder.Services.AddSingleton<TlsHandshake>();

        var endpoint = options.ParseListen();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 256;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(kestrel.ApplicationServices.GetRequiredService<TlsHandshake>().Options());
            });
        });

        builder.Services.AddGrpcWire(grpc => builder.Configuration.GetSection("Hub:Grpc").Bind(grpc));
        AddExchange(builder.Services, options);
        return builder;
    }

    private static void AddExchange(IServiceCollection services, HubOptions options)
    {
        var policyPath = string.IsNullOrEmpty(options.Deadlines.PolicyPath) ? null : HubPaths.ResolveExisting(options.Deadlines.PolicyPath, "Hub:Deadlines:PolicyPath");
        services.AddSingleton(sp => new DeadlinePolicy(policyPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DeadlinePolicy>>()));
        services.TryAddSingleton<IExchangeStore>(sp => CreateStore(options.Store, sp));
        if (options.Store.Provider == "redis")
        {
            var redis = options.Store.Redis;
            var replicaId = ReplicaId(options);
            services.AddSingleton(sp => OpenRedis(redis, sp.GetRequiredService<ILogger<RedisConnection>>()));
            services.AddHostedService(sp => new RedisReplicaLink(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<IExchangeStore>(),
                sp.GetRequiredService<EventBus>(), sp.GetRequiredService<InboxBroker>(), sp.GetRequiredService<DeadlineTracker>(), replicaId,
                sp.GetRequiredService<ILogger<RedisReplicaLink>>()));
        }

        services.AddSingleton<InboxBroker>();
        services.AddSingleton<EventBus>();
        services.AddSingleton<DeadlineTracker>();
        services.AddHostedService<ExchangeStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineTracker>());
        var maskingPolicy = HubPaths.ResolveExisting(options.Masking.PolicyPath, "Hub:Masking:PolicyPath");
        var maskingSecret = HubPaths.ResolveExisting(options.Masking.SecretPath, "Hub:Masking:SecretPath");
        services.AddSingleton(sp => new MaskingPolicy(new ReloadingFile<MaskingRules>(maskingPolicy, "Masking policy", MaskingRules.Parse,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MaskingPolicy>>())));
        services.AddSingleton(_ => PseudonymKeys.Load(maskingSecret));
        services.TryAddSingleton<IDeliveryMasker, MaskingEngine>();
        services.AddSingleton<ExchangeCoordinator>();
        services.AddSingleton<ComplianceCalculator>();
        services.AddGrpcService<ExchangeService>();
        services.AddGrpcService<InboxService>();
        services.AddGrpcService<OperationsService>();
    }

    private static IExchangeStore CreateStore(HubStoreOptions store, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<SqliteExchangeStore>>();
        switch (store.Provider)
        {
            case "sqlite":
                var path = Path.GetFullPath(store.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return new SqliteExchangeStore(path, durable: true, logger);
            case "memory":
                HubLog.VolatileStore(services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Hub"));
                return new SqliteExchangeStore(string.Empty, durable: false, logger);
            case "redis":
                return new RedisExchangeStore(services.GetRequiredService<RedisConnection>());
            default:
                throw new InvalidOperationException($"Hub:Store:Provider '{store.Provider}' is unknown: use sqlite (the default), redis or memory.");
        }
    }

    /// <summary>
    /// Every replica on a shared store keeps its own audit log, named by its own origin
    /// ("&lt;Hub:Audit:Origin&gt;/&lt;replica id&gt;"), so each log has one appender and verifies on its own.
    /// </summary>
    private static string AuditOrigin(HubOptions options) =>
        options.Store.Provider == "redis" ? $"{options.Audit.Origin}/{ReplicaId(options)}" : options.Audit.Origin;

    /// <summary>Stable across restarts (it names the replica's audit log): the host name unless configured.</summary>
    private static string ReplicaId(HubOptions options) => options.ReplicaId ?? Environment.MachineName.ToLowerInvariant();

    /// <summary>Connects to Redis and checks it keeps what the hub acknowledges (AOF on).</summary>
    private static RedisConnection OpenRedis(HubRedisOptions options, ILogger<RedisConnection> logger)
    {
        var redis = new RedisConnection(options.Configuration, options.Prefix, TimeSpan.FromMilliseconds(options.TimeoutMilliseconds), logger);
        if (!redis.IsConnected)
        {
            throw new InvalidOperationException($"Hub:Store:Redis:Configuration '{options.Configuration}': Redis is not reachable.");
        }

        try
        {
            var server = redis.Server;
            string Setting(string name) => server.ConfigGet(name).FirstOrDefault().Value ?? "?";
            var appendOnly = Setting("appendonly");
            var fsync = Setting("appendfsync");
            RedisLog.Opened(logger, server.EndPoint.ToString() ?? "?", server.Version.ToString(), appendOnly, fsync, options.Prefix);
            if (appendOnly != "yes" && options.RequireAppendOnly)
            {
                throw new InvalidOperationException(
                    "Redis has appendonly no: acknowledged exchanges would not survive a Redis restart. Set appendonly yes (and appendfsync always), "
                    + "or Hub:Store:Redis:RequireAppendOnly=false for a throwaway environment.");
            }

            if (fsync != "always")
            {
                RedisLog.WeakFsync(logger, fsync);
            }
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or StackExchange.Redis.RedisCommandException)
        {
            RedisLog.ConfigUnreadable(logger, e.Message);
        }

        return redis;
    }

    public static WebApplication MapHub(this WebApplication app)
    {
        // Start-up fails here, loudly, on a bad registry or CRL rather than on the first call.
        _ = app.Services.GetRequiredService<PartnerRegistry>();
        _ = app.Services.GetRequiredService<CrlStore>();
        _ = app.Services.GetRequiredService<IExchangeStore>();
        _ = app.Services.GetRequiredService<IDeliveryMasker>();
        _ = app.Services.GetRequiredService<AuditLog>();
        app.UseGrpcWire();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Hub");
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HubOptions>>().Value;
        var tls = app.Services.GetRequiredService<HubTls>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            HubLog.Certificates(logger, tls.Server.Subject, tls.Server.NotAfter.ToUniversalTime(), tls.ClientRoot.Subject);
            foreach (var address in app.Urls)
            {
                HubLog.Listening(logger, address.Replace("https://", string.Empty, StringComparison.Ordinal));
            }
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            HubLog.Stopping(logger, options.ShutdownTimeoutSeconds);
            app.Services.GetRequiredService<HealthStatusRegistry>().MarkAllNotServing();
        });
        return app;
    }

    /// <summary>Fails start-up with a clear message when a file the hub needs cannot be read.</summary>
    private static HubTls LoadTls(HubTlsOptions tls)
    {
        var certPath = HubPaths.ResolveExisting(tls.CertificatePath, "Hub:Tls:CertificatePath");
        var keyPath = HubPaths.ResolveExisting(tls.KeyPath, "Hub:Tls:KeyPath");
        var rootPath = HubPaths.ResolveExisting(tls.ClientCaPath, "Hub:Tls:ClientCaPath");

        var server = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        var serverChain = new X509Certificate2Collection();
        serverChain.ImportFromPemFile(certPath);
        var intermediates = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(tls.IntermediatesPath))
        {
            intermediates.ImportFromPemFile(HubPaths.ResolveExisting(tls.IntermediatesPath, "Hub:Tls:IntermediatesPath"));
        }

        var root = X509CertificateLoader.LoadCertificateFromFile(rootPath);
        var crlPath = string.IsNullOrEmpty(tls.CrlPath) ? null : HubPaths.ResolveExisting(tls.CrlPath, "Hub:Tls:CrlPath");
        return new HubTls(server, serverChain, root, intermediates, crlPath);
    }
}

/// <summary>The loaded TLS material.</summary>
public sealed record HubTls(
    X509Certificate2 Server,
    X509Certificate2Collection ServerChain,
    X509Certificate2 ClientRoot,
    X509Certificate2Collection Intermediates,
    string? CrlPath);
