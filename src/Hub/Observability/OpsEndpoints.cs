namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>
/// The operations port's answers (plain HTTP, so every request that is not TLS): <c>/healthz</c> (the process is up and not
/// stopping: for restarts), <c>/readyz</c> (the store and the audit log work: for load balancers), and 404 for anything else;
/// <c>/metrics</c> is answered before this by the Prometheus exporter. No partner call is reachable here.
/// </summary>
internal static class OpsEndpoints
{
    public static async Task AnswerAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var (status, text) = context.Request.Path.Value switch
        {
            "/healthz" => services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested
                ? (StatusCodes.Status503ServiceUnavailable, "stopping\n")
                : (StatusCodes.Status200OK, "ok\n"),
            "/readyz" => services.GetRequiredService<HealthSnapshot>().NotReadyReason() is { } reason
                ? (StatusCodes.Status503ServiceUnavailable, "not ready: " + reason + "\n")
                : (StatusCodes.Status200OK, "ready\n"),
            _ => (StatusCodes.Status404NotFound,
                "The operations port serves /healthz, /readyz and /metrics only; partners connect to the TLS port.\n"),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>Whether a request came in on the operations port: the partner port never answers without TLS.</summary>
    public static bool IsOps(HttpContext context) => !context.Request.IsHttps;
}
