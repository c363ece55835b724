using AntiFraud.Exchange.Hub.Shared;
using System.Net;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AntiFraud.Exchange.Hub.Observability;

internal static class ObservabilityRegistration
{
    /// <summary>The meters the operations port exports: the hub's own and Kestrel's (connections, TLS handshakes, queues).</summary>
    private static readonly string[] Meters = [HubMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>
    /// Metrics (a Prometheus scrape on the operations port when it is on; OTLP when a collector is configured), traces over OTLP
    /// when configured, the health snapshot behind <c>/readyz</c>, and console logs that honour <c>Logging:Console:FormatterName</c>
    /// (json: one object per line, with the trace id, span id and exchange id of the call as scopes).
    /// </summary>
    public static WebApplicationBuilder AddHubObservability(this WebApplicationBuilder builder, HubOpsOptions ops, IPEndPoint? opsEndPoint,
        string storeProvider, string instance)
    {
        var services = builder.Services;
        services.AddSingleton<HealthSnapshot>();
        services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<HealthSnapshot>());
        services.AddSingleton(sp => new HubGauges(sp.GetRequiredService<InboxBroker>(), sp.GetRequiredService<PartnerStreams>(),
            sp.GetRequiredService<CrlStore>(), sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<HealthSnapshot>(),
            sp.GetRequiredService<TimeProvider>(), storeProvider));

        var otlp = string.IsNullOrWhiteSpace(ops.OtlpEndpoint) ? null : new Uri(ops.OtlpEndpoint);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("afx-hub", serviceInstanceId: instance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (opsEndPoint is not null)
                {
                    // Every scrape sees the counters as they are now (a test or an operator scrapes twice within a second).
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, otlp, ops.OtlpProtocol, "v1/metrics"));
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.IsHttps)
                .AddOtlpExporter(o => Otlp(o, otlp, ops.OtlpProtocol, "v1/traces")));
        }

        // Every entry logged during a call carries the call's trace and span ids (and its exchange id: HubEdgeInterceptor).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // The slim host registers the simple formatter in code, after the configuration: the configured name must win.
        var formatter = builder.Configuration["Logging:Console:FormatterName"];
        if (!string.IsNullOrEmpty(formatter))
        {
            services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
        }

        services.PostConfigure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    /// <summary>OTLP over gRPC takes the collector's address; over HTTP each signal has its own path under it.</summary>
    private static void Otlp(OtlpExporterOptions options, Uri endpoint, string protocol, string signalPath)
    {
        var http = protocol == "http/protobuf";
        options.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        options.Endpoint = http ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + signalPath) : endpoint;
    }

    /// <summary>The operations port's branch of the pipeline: everything that did not come in over TLS.</summary>
    public static void MapOps(this WebApplication app, bool opsPort)
    {
        _ = app.Services.GetRequiredService<HubGauges>();
        if (!opsPort)
        {
            return;
        }

        app.MapWhen(OpsEndpoints.IsOps, ops =>
        {
            ops.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == "/metrics");
            ops.Run(OpsEndpoints.AnswerAsync);
        });
    }
}
