using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Protocol.Clients;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>Wiring of the bridge: options, the hub connection, folders, translators and the two pumps.</summary>
internal static class BridgeHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args,
            EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "bridge.json"), optional: true)
            .AddJsonFile("bridge.json", optional: true)
            .AddEnvironmentVariables("AFX_")
            .AddCommandLine(args);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<BridgeOptions>(builder.Configuration.GetSection(BridgeOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new BridgeFolders(sp.GetRequiredService<IOptions<BridgeOptions>>().Value.ResolvedFolder));
        builder.Services.AddSingleton(sp => new BridgeTranslators(sp.GetRequiredService<IOptions<BridgeOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<DeadLetters>();
        builder.Services.AddSingleton<IdentityRefused>();
        builder.Services.AddSingleton(sp => new HubConnection(sp.GetRequiredService<IOptions<BridgeOptions>>().Value));
        builder.Services.AddSingleton<InboxPump>();
        if (!string.IsNullOrEmpty(builder.Configuration["Bridge:Metrics"]))
        {
            builder.Services.AddHostedService(sp => new BridgeMetrics(sp.GetRequiredService<IOptions<BridgeOptions>>().Value,
                sp.GetRequiredService<DeadLetters>(), sp.GetRequiredService<ILogger<BridgeMetrics>>()));
        }

        var options = builder.Configuration.GetSection(BridgeOptions.Section).Get<BridgeOptions>() ?? new BridgeOptions();
        if (IsPolice(options))
        {
            // A police unit submits: requests/ to the hub, the replies to receipts/.
            builder.Services.AddHostedService<SubmissionPump>();
        }
        else
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxPump>());
            builder.Services.AddHostedService<AnswerPump>();
            // Results of bulk orders (the orders themselves arrive in outbox/ as .bulk.csv).
            builder.Services.AddHostedService<BulkResultPump>();
            // Banks and carriers also raise early warnings: alert exports dropped in alerts/.
            builder.Services.AddHostedService<AlertPump>();
        }

        return builder;
    }

    /// <summary>Whether the bridge's certificate names a police unit (its role follows from its identity, as at the hub).</summary>
    internal static bool IsPolice(BridgeOptions options)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(options.ResolvedCertificate);
            return PartnerNames.KindOf(certificate) == "police";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // A missing or unreadable certificate is reported by the settings check.
            return false;
        }
    }

    /// <summary>Checks the settings, prepares the folders and recovers from an earlier crash; null when the settings are
    /// unusable.</summary>
    public static IHost? Build(HostApplicationBuilder builder, TextWriter errors)
    {
        var options = builder.Configuration.GetSection(BridgeOptions.Section).Get<BridgeOptions>() ?? new BridgeOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                errors.WriteLine("afx-bridge: " + problem);
            }

            return null;
        }

        var host = builder.Build();
        var folders = host.Services.GetRequiredService<BridgeFolders>();
        folders.Create();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Adapters.Bridge");
        var (published, dropped) = folders.Recover();
        if (published + dropped > 0)
        {
            BridgeLog.Recovered(logger, published, dropped);
        }

        BridgeLog.Started(logger, options.PartnerId, options.Hub, folders.Root);
        if (IsPolice(options))
        {
            BridgeLog.PoliceRole(logger, options.PartnerId, folders.Requests);
        }

        return host;
    }
}
