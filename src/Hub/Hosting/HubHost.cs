using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Identity;
using Grpc.Net.Compression;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
        builder.Services.Configure<HubOptions>(section);
        var paths = HubPaths.For(options);
        builder.Services.AddSingleton(paths);

        builder.Logging.AddConsole();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds);
            // Every background service logs, counts and carries on (BackgroundFaults); this is the last line.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });
        builder.Services.AddSingleton<BackgroundFaults>();

        var tls = LoadTls(options.Tls, paths);
        var registryPath = paths.ResolveExisting(options.Partners.RegistryPath, "Hub:Partners:RegistryPath");
        var storePath = paths.Resolve(options.Store.Path);
        var dataDirectory = Path.GetDirectoryName(storePath)!;
        var auditDirectory = options.Audit.Directory is { } configured ? paths.Resolve(configured) : Path.Combine(dataDirectory, "audit");
        var signingKeyPath = paths.ResolveExisting(options.Audit.SigningKeyPath, "Hub:Audit:SigningKeyPath");
        var secretPath = paths.ResolveExisting(options.Masking.SecretPath, "Hub:Masking:SecretPath");
        var staleCrl = options.Tls.StaleCrlMode;
        var development = RefuseDevelopmentMaterialInProduction(builder.Environment, paths, tls,
            ("Hub:Tls:CertificatePath", tls.CertificatePath), ("Hub:Tls:ClientCaPath", tls.ClientRootPath),
            ("Hub:Audit:SigningKeyPath", signingKeyPath), ("Hub:Masking:SecretPath", secretPath));

        builder.Services.AddSingleton(tls);
        builder.Services.AddSingleton(new DevelopmentMaterial(development));
        builder.Services.AddSingleton(sp => new PartnerRegistry(registryPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PartnerRegistry>>()));
        builder.Services.AddSingleton(sp => new CrlStore(tls.CrlPath, [.. tls.Intermediates, tls.ClientRoot], Path.Combine(dataDirectory, "identity", "crl-number"),
            staleCrl, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CrlStore>>()));
        builder.Services.AddSingleton(sp => new PartnerCertificates(Path.Combine(dataDirectory, "identity", "partner-certificates.json"),
            sp.GetRequiredService<CrlStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PartnerCertificates>>()));
        builder.Services.AddSingleton<PartnerAuthenticator>();
        builder.Services.AddSingleton<RefusalAudit>();
        builder.Services.AddHostedService<RefusalAuditFlusher>();
        builder.Services.AddSingleton<PartnerStreams>();
        builder.Services.AddPartnerAccess(tls);
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
        builder.Services.AddSingleton<FreshCheckpointLimit>();
        builder.Services.AddSingleton<TlsHandshake>();
        builder.Services.AddHostedService<ConfigurationWatcher>();

        var endpoint = options.ParseListen();
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
        });

        builder.Services.AddSingleton(new RequestBodyBudget(options.Limits.MaxBufferedPerConnectionMiB * 1024L * 1024, options.Limits.MaxBufferedTotalMiB * 1024L * 1024));
        var grpc = builder.Configuration.GetSection("Hub:Grpc").Get<HubGrpcOptions>() ?? new HubGrpcOptions();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = grpc.MaxReceiveMessageSize;
            o.MaxSendMessageSize = grpc.MaxSendMessageSize;
            o.EnableDetailedErrors = false;
            o.CompressionProviders = [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest), new DeflateCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)];
            o.Interceptors.Add<HubEdgeInterceptor>();
        });
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
        AddExchange(builder.Services, options, paths, storePath);
        return builder;
    }

    /// <summary>
    /// The committed development PKI (certs-dev/) has public private keys: a hub whose environment is
    /// Production refuses to start with any of it. Development hubs say so loudly at start.
    /// </summary>
    private static bool RefuseDevelopmentMaterialInProduction(IHostEnvironment environment, HubPaths paths, HubTls tls, params (string Setting, string Path)[] files)
    {
        var development = files.Where(f => paths.IsDevelopmentMaterial(f.Path)).Select(f => f.Setting).ToList();
        if (tls.ClientRoot.Subject.Contains("AntiFraud.Exchange DEV", StringComparison.Ordinal) && !development.Contains("Hub:Tls:ClientCaPath"))
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

    private static void AddExchange(IServiceCollection services, HubOptions options, HubPaths paths, string storePath)
    {
        var policyPath = string.IsNullOrEmpty(options.Deadlines.PolicyPath) ? null : paths.ResolveExisting(options.Deadlines.PolicyPath, "Hub:Deadlines:PolicyPath");
        services.AddSingleton(sp => new DeadlinePolicy(policyPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DeadlinePolicy>>()));
        services.TryAddSingleton<IExchangeStore>(sp => CreateStore(options.Store, storePath, sp));
        if (options.Store.Provider == "redis")
        {
            var redis = options.Store.Redis;
            var replicaId = ReplicaId(options);
            services.AddSingleton(sp => OpenRedis(redis, sp.GetRequiredService<ILogger<RedisConnection>>()));
            services.AddHostedService(sp => new RedisReplicaLink(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<IExchangeStore>(),
                sp.GetRequiredService<EventBus>(), sp.GetRequiredService<InboxBroker>(), sp.GetRequiredService<DeadlineTracker>(), replicaId,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<BackgroundFaults>(), sp.GetRequiredService<ILogger<RedisReplicaLink>>()));
        }

        services.AddSingleton<InboxBroker>();
        services.AddSingleton<EventBus>();
        services.AddSingleton<DeadlineTracker>();
        services.AddHostedService<ExchangeStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineTracker>());
        var maskingPolicy = paths.ResolveExisting(options.Masking.PolicyPath, "Hub:Masking:PolicyPath");
        var maskingSecret = paths.ResolveExisting(options.Masking.SecretPath, "Hub:Masking:SecretPath");
        services.AddSingleton(sp => new MaskingPolicy(new ReloadingFile<MaskingRules>(maskingPolicy, "Masking policy", MaskingRules.Parse,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MaskingPolicy>>())));
        services.AddSingleton(_ => PseudonymKeys.Load(maskingSecret));
        services.TryAddSingleton<IDeliveryMasker, MaskingEngine>();
        services.AddSingleton<ExchangeCoordinator>();
        services.AddSingleton<ComplianceCalculator>();
    }

    private static IExchangeStore CreateStore(HubStoreOptions store, string path, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<SqliteExchangeStore>>();
        switch (store.Provider)
        {
            case "sqlite":
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
            string Setting(string name)
            {
                // A Redis busy loading or on a busy machine may miss one deadline; three in a row is a fault.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return server.ConfigGet(name).FirstOrDefault().Value ?? "?";
                    }
                    catch (StackExchange.Redis.RedisTimeoutException e) when (attempt < 3)
                    {
                        RedisLog.ConfigUnreadable(logger, $"{e.Message.Split(',')[0]} (attempt {attempt} of 3)");
                    }
                    catch (StackExchange.Redis.RedisTimeoutException e)
                    {
                        throw new InvalidOperationException(
                            $"Hub:Store:Redis:Configuration '{options.Configuration}': Redis did not answer CONFIG GET {name} within "
                            + $"{options.TimeoutMilliseconds} ms, three times: {e.Message.Split(',')[0]}", e);
                    }
                }
            }

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
        app.Use(app.Services.GetRequiredService<RequestBodyBudget>().InvokeAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGrpcService<ExchangeService>();
        app.MapGrpcService<InboxService>();
        app.MapGrpcService<AuditService>();
        app.MapGrpcService<OperationsService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Hub");
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HubOptions>>().Value;
        var tls = app.Services.GetRequiredService<HubTls>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            HubLog.Certificates(logger, tls.Server.Subject, tls.Server.NotAfter.ToUniversalTime(), tls.ClientRoot.Subject);
            if (app.Services.GetRequiredService<DevelopmentMaterial>().InUse)
            {
                HubLog.DevelopmentMaterial(logger, app.Services.GetRequiredService<HubPaths>().Root);
            }
            foreach (var address in app.Urls)
            {
                HubLog.Listening(logger, address.Replace("https://", string.Empty, StringComparison.Ordinal));
            }
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            HubLog.Stopping(logger, options.ShutdownTimeoutSeconds);
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
        return new HubTls(server, serverChain, root, intermediates, crlPath, certPath, rootPath);
    }
}

/// <summary>Whether the hub runs on the committed development PKI (said loudly at start; refused in Production).</summary>
internal sealed record DevelopmentMaterial(bool InUse);

/// <summary>The loaded TLS material, and where it came from.</summary>
public sealed record HubTls(
    X509Certificate2 Server,
    X509Certificate2Collection ServerChain,
    X509Certificate2 ClientRoot,
    X509Certificate2Collection Intermediates,
    string? CrlPath,
    string CertificatePath = "",
    string ClientRootPath = "");
