using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// The bridge's own counters as Prometheus text on GET /metrics (Bridge:Metrics, plain HTTP; bind it to loopback or a
/// monitoring network): dead letters waiting by direction and dead-lettered since start. Names of files never appear, only
/// counts, the partner id and the direction. A failing listener is logged; the bridge keeps translating.
/// </summary>
internal sealed class BridgeMetrics(BridgeOptions options, DeadLetters deadLetters, ILogger<BridgeMetrics> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoint = IPEndPoint.Parse(options.Metrics!);
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{(endpoint.Address.Equals(IPAddress.Any) ? "+" : endpoint.Address.ToString())}:{endpoint.Port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            BridgeLog.MetricsFailed(logger, options.Metrics!, e.Message);
            return;
        }

        BridgeLog.MetricsListening(logger, options.Metrics!);
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                var found = context.Request.Url?.AbsolutePath == "/metrics";
                var body = Encoding.UTF8.GetBytes(found ? Text() : "The bridge serves /metrics only.\n");
                context.Response.StatusCode = found ? 200 : 404;
                context.Response.ContentType = found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(body, stoppingToken);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
            {
                context.Response.Abort();
            }
        }
    }

    internal string Text()
    {
        var partner = Escape(options.PartnerId);
        var text = new StringBuilder();
        text.Append("# HELP afx_bridge_dead_letters Files waiting in dead-letter/ with their reasons, by direction.\n");
        text.Append("# TYPE afx_bridge_dead_letters gauge\n");
        var waiting = deadLetters.List().GroupBy(l => l.Direction).ToDictionary(g => g.Key, g => g.Count());
        foreach (var direction in waiting.Keys.Union(Directions).Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"afx_bridge_dead_letters{{partner=\"{partner}\",direction=\"{Escape(direction)}\"}} {waiting.GetValueOrDefault(direction)}\n");
        }

        text.Append("# HELP afx_bridge_dead_lettered_total Files this bridge put in dead-letter/ since it started, by direction.\n");
        text.Append("# TYPE afx_bridge_dead_lettered_total counter\n");
        var kept = deadLetters.KeptSinceStart;
        foreach (var direction in kept.Keys.Union(Directions).Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"afx_bridge_dead_lettered_total{{partner=\"{partner}\",direction=\"{Escape(direction)}\"}} {kept.GetValueOrDefault(direction)}\n");
        }

        return text.ToString();
    }

    /// <summary>Shown at 0 from the start, so an alert on them never waits for a first failure.</summary>
    private static readonly string[] Directions = ["inbound", "outbound"];

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
