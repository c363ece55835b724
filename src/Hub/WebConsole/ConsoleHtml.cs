using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace AntiFraud.Exchange.Hub.WebConsole;

/// <summary>
/// The console's HTML, written by the server: one page layout, tables, SVG bar charts and countdowns. No script or style is
/// fetched from anywhere; the only script ticks the countdowns. Every value is HTML-encoded.
/// </summary>
internal static class ConsoleHtml
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Page(string title, string viewer, string body) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · AntiFraud.Exchange</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24}
        header{background:#12355b;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:baseline;flex-wrap:wrap}
        header a{color:#cfe3ff;text-decoration:none} header .who{margin-left:auto;opacity:.85}
        main{padding:1em}
        table{border-collapse:collapse;margin:.5em 0 1.5em} th,td{border:1px solid #ccd;padding:.25em .6em;text-align:left}
        th{background:#eef2f7} td.num{text-align:right;font-variant-numeric:tabular-nums}
        .overdue{color:#b00020;font-weight:600} .soon{color:#a15c00} .ok{color:#1e6b2e} .miss{color:#b00020}
        .muted{color:#667} pre{background:#f4f6f8;padding:.6em;overflow:auto}
        ul.tree{list-style:none;padding-left:1.2em} ul.tree li{margin:.2em 0}
        @media print{header nav,.noprint{display:none} header{background:none;color:#000} a{color:#000} }
        </style></head>
        <body><header><strong>AntiFraud.Exchange console</strong><nav>
        <a href="/console/deadlines">Live deadlines</a> · <a href="/console/compliance">Partner compliance</a> ·
        <a href="/console/targets">Targets</a> · <a href="/console/case">A case</a> · <a href="/console/audit">Audit log</a></nav>
        <span class="who">{{E(viewer)}}</span></header>
        <main><h1>{{E(title)}}</h1>
        {{body}}
        </main>
        <script>
        for (const el of document.querySelectorAll('[data-deadline]')) {
          const due = Date.parse(el.dataset.deadline);
          const tick = () => {
            const s = Math.round((due - Date.now()) / 1000), a = Math.abs(s);
            const t = (a >= 3600 ? Math.floor(a / 3600) + 'h ' : '') + Math.floor(a % 3600 / 60) + 'm ' + (a % 60) + 's';
            el.textContent = s >= 0 ? 'in ' + t : 'OVERDUE by ' + t;
            el.className = s < 0 ? 'overdue' : s < 900 ? 'soon' : 'ok';
          };
          tick(); setInterval(tick, 1000);
        }
        </script></body></html>
        """;

    public static string Table(IEnumerable<string> headers, IEnumerable<IEnumerable<string>> rows, string? caption = null)
    {
        var html = new StringBuilder("<table>");
        if (caption is not null)
        {
            html.Append("<caption>").Append(E(caption)).Append("</caption>");
        }

        html.Append("<thead><tr>");
        foreach (var h in headers)
        {
            html.Append("<th>").Append(E(h)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            // Cells arrive encoded (E) or as trusted markup from this class.
            html.Append("<tr>").Append(string.Concat(row.Select(c => c.StartsWith("<td", StringComparison.Ordinal) ? c : "<td>" + c + "</td>")))
                .Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Num(string text) => "<td class=\"num\">" + text + "</td>";

    public static string Percent(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    /// <summary>Local time in China, as an operator reads it.</summary>
    public static string Time(DateTimeOffset at) => at.ToOffset(ChinaStandardTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A countdown cell: the server's text, ticked by the page's script.</summary>
    public static string Countdown(DateTimeOffset deadline, DateTimeOffset now)
    {
        var left = deadline - now;
        var a = left.Duration();
        var text = (a.TotalHours >= 1 ? $"{(int)a.TotalHours}h " : "") + $"{a.Minutes}m {a.Seconds}s";
        var css = left < TimeSpan.Zero ? "overdue" : left < TimeSpan.FromMinutes(15) ? "soon" : "ok";
        return $"<td><span class=\"{css}\" data-deadline=\"{deadline.UtcDateTime:O}\">{(left < TimeSpan.Zero ? "OVERDUE by " : "in ")}{text}</span></td>";
    }

    public static string Money(Contract.V1.Money? money) => money is null
        ? "–"
        : $"{E(money.Currency)} {(money.MinorUnits / 100m).ToString("N2", CultureInfo.InvariantCulture)}";

    /// <summary>A bar chart of one target over the quarters, the goal drawn as a line: SVG, no library.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double? Value)> bars, double goal)
    {
        const int width = 84, height = 120, top = 14;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg role=\"img\" aria-label=\"{E(title)}\" width=\"{(bars.Count * width) + 20}\" height=\"{height + 40}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var x = 10 + (i * width);
            var h = (int)Math.Round(Math.Clamp(value ?? 0, 0, 1) * height);
            var fill = value is null ? "#ccd" : value >= goal ? "#2e7d32" : "#c62828";
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + 10}\" y=\"{top + height - h}\" width=\"{width - 30}\" height=\"{h}\" fill=\"{fill}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (width / 2) - 5}\" y=\"{top + height - h - 3}\" font-size=\"11\" text-anchor=\"middle\">{Percent(value)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (width / 2) - 5}\" y=\"{top + height + 16}\" font-size=\"11\" text-anchor=\"middle\">{E(label)}</text>");
        }

        var goalY = top + height - (int)Math.Round(goal * height);
        svg.Append(CultureInfo.InvariantCulture,
            $"<line x1=\"0\" x2=\"{(bars.Count * width) + 20}\" y1=\"{goalY}\" y2=\"{goalY}\" stroke=\"#12355b\" stroke-dasharray=\"4 3\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{goalY - 3}\" font-size=\"10\" fill=\"#12355b\">goal {Percent(goal)}</text>");
        return svg.Append("</svg>").ToString();
    }
}
