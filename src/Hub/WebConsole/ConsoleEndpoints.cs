using AntiFraud.Exchange.Hub.Identity;

namespace AntiFraud.Exchange.Hub.WebConsole;

/// <summary>
/// The read-only web console under /console on the partner port: HTTPS with the viewer's partner certificate (a browser
/// without one is refused at the handshake). Police units and auditors see every page; a bank or carrier sees its live deadlines
/// (the work addressed to it, with its duty desk) and is answered 403 elsewhere. Every page is rendered by the server and audited
/// as an access.
/// </summary>
internal static class ConsoleEndpoints
{
    /// <summary>The audit page remembers, in the viewer's own browser, the checkpoint it showed last.</summary>
    public const string SeenCookie = "afx_audit_seen";

    private const int Quarters = 4;

    public static IServiceCollection AddHubConsole(this IServiceCollection services) =>
        services.AddSingleton<TargetsCalculator>().AddSingleton<ConsoleViews>();

    public static void MapConsole(this WebApplication app)
    {
        // Every partner may open the console and its live deadlines (a bank or carrier sees the work addressed to it, with its
        // duty desk); the other pages are for police units and auditors.
        var console = app.MapGroup("/console").RequireAuthorization(HubPolicies.ReceiptHolders);
        console.MapGet("", (HttpContext c, ConsoleViews v) => PageAsync(c, v, "/console", null, viewer => Task.FromResult(v.Index(viewer))));
        console.MapGet("/deadlines", (HttpContext c, ConsoleViews v) =>
            PageAsync(c, v, "/console/deadlines", null, viewer => v.DeadlinesAsync(viewer, c.RequestAborted)));
        console.MapGet("/compliance", (HttpContext c, ConsoleViews v) =>
            PageAsync(c, v, "/console/compliance", null, viewer => v.ComplianceAsync(viewer, 90, c.RequestAborted)))
            .RequireAuthorization(HubPolicies.Supervisors);
        console.MapGet("/targets", (HttpContext c, ConsoleViews v) =>
            PageAsync(c, v, "/console/targets", null, viewer => v.TargetsAsync(viewer, Quarters, c.RequestAborted)))
            .RequireAuthorization(HubPolicies.Supervisors);
        console.MapGet("/targets.csv", async (HttpContext c, ConsoleViews v) =>
        {
            await v.AuditViewAsync(PartnerAccess.Caller(c), "/console/targets.csv", null, c.RequestAborted);
            c.Response.Headers.ContentDisposition = "attachment; filename=\"afx-targets.csv\"";
            return Results.Text(await v.TargetsCsvAsync(Quarters, c.RequestAborted), "text/csv; charset=utf-8");
        }).RequireAuthorization(HubPolicies.Supervisors);
        console.MapGet("/case", (HttpContext c, ConsoleViews v) =>
        {
            var number = Bounded(c.Request.Query["case"]);
            return PageAsync(c, v, "/console/case", number,
                viewer => v.CaseAsync(viewer, number, Bounded(c.Request.Query["centre"]), c.RequestAborted));
        }).RequireAuthorization(HubPolicies.Supervisors);
        console.MapGet("/audit", (HttpContext c, ConsoleViews v) => PageAsync(c, v, "/console/audit", null, viewer =>
        {
            var html = v.Audit(viewer, c.Request.Cookies[SeenCookie], Bounded(c.Request.Query["q"]), out var seen);
            c.Response.Cookies.Append(SeenCookie, seen, new CookieOptions
            {
                Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/console/audit", MaxAge = TimeSpan.FromDays(400),
            });
            return Task.FromResult(html);
        })).RequireAuthorization(HubPolicies.Supervisors);
    }

    /// <summary>A query value of at most 64 characters (case numbers and exchange ids are no longer); longer is ignored.</summary>
    private static string? Bounded(string? value) => value is { Length: > 0 and <= 64 } ? value : null;

    private static async Task<IResult> PageAsync(HttpContext context, ConsoleViews views, string page, string? caseNumber,
        Func<PartnerIdentity, Task<string>> render)
    {
        var viewer = PartnerAccess.Caller(context);
        await views.AuditViewAsync(viewer, page, caseNumber, context.RequestAborted);
        var html = await render(viewer);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
