using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Protocol.Transparency;
using static AntiFraud.Exchange.Hub.WebConsole.ConsoleHtml;

namespace AntiFraud.Exchange.Hub.WebConsole;

/// <summary>
/// The console's pages, each built from the store, the audit log and the figures' calculators for one viewer: a police unit sees
/// the exchanges it sent or was sent, an auditor sees all, and a record shown whole is masked for the viewer exactly as an RPC
/// read would be. Every page view is an audit entry.
/// </summary>
internal sealed class ConsoleViews(IExchangeStore store, ExchangeAccess access, IDeliveryMasker masker, TargetsCalculator targets,
    PartnerRegistry registry, AuditLog audit, TimeProvider time)
{
    /// <summary>How far back the live pages look for open work (the longest deadline is three days; holds run longer).</summary>
    private static readonly TimeSpan OpenWindow = TimeSpan.FromDays(8);

    private static readonly Priority[] Tiers = [Priority.Critical, Priority.High, Priority.Medium, Priority.Low];

    public static string Viewer(PartnerIdentity viewer) => $"{PartnerIdentity.KindName(viewer.Kind)} {viewer.Id}";

    public Task AuditViewAsync(PartnerIdentity viewer, string page, string? caseNumber, CancellationToken cancellationToken) =>
        access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, viewer.ToRef(), "console " + page, null, caseNumber), cancellationToken);

    public string Index(PartnerIdentity viewer) => Page("Overview", Viewer(viewer), $"""
        <p>Signed in with the certificate of <strong>{E(viewer.Id)}</strong> ({E(PartnerIdentity.KindName(viewer.Kind))}). Every page you
        open is recorded in the hub's audit log.</p>
        <ul><li><a href="/console/deadlines">Live deadlines</a> (banks and carriers: the work addressed to you): open exchanges and dissuasion instructions nearing or past their legal deadline</li>
        <li><a href="/console/compliance">Partner compliance</a>: on-time rate by partner, request kind and tier, with a ranking</li>
        <li><a href="/console/targets">Targets</a>: the national plan's figures by quarter, as charts, CSV and print</li>
        <li><a href="/console/case">A case</a>: timeline, money and the fund-trace tree</li>
        <li><a href="/console/audit">The audit log</a>: the signed checkpoint and proof that the log only grew since your last visit</li></ul>
        """);

    public async Task<string> DeadlinesAsync(PartnerIdentity viewer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = (await store.ListSubmittedAsync(null, now - OpenWindow, now.AddSeconds(1), cancellationToken))
            .Where(r => ExchangeStates.IsRunning(r.State) && Sees(viewer, r))
            .OrderBy(r => r.Deadline.ToDateTimeOffset())
            .ToList();
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<p>{open.Count} open, {open.Count(r => r.Deadline.ToDateTimeOffset() < now)} past their deadline. Times are China Standard Time.</p>");
        foreach (var tier in Tiers)
        {
            var rows = open.Where(r => r.Priority == tier).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            body.Append(Table(["Exchange", "Kind", "From", "To", "Case", "State", "Deadline", "Time left", "Case's golden window",
                "Responder's duty desk now"], rows.Select(r => new[]
            {
                E(r.ExchangeId), E(RequestValidator.KindName(r.Request.KindCase)), E(r.From.Id), E(r.To.Id), E(r.Case.CaseNumber),
                E(r.State.ToString()), E(Time(r.Deadline.ToDateTimeOffset())), Countdown(r.Deadline.ToDateTimeOffset(), now),
                r.CaseWindowEndsAt is { } window ? Countdown(window.ToDateTimeOffset(), now) : "–",
                E(registry.TryGet(r.To.Id, out var responder) ? DutyContact.InForce(responder.Duty, r.Request.KindCase, now)?.Contact ?? "–" : "–"),
            }), $"{tier.ToString().ToUpperInvariant()}: {rows.Count}"));
        }

        return Page("Live deadlines", Viewer(viewer), body.ToString());
    }

    public async Task<string> ComplianceAsync(PartnerIdentity viewer, int days, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var records = await store.ListSubmittedAsync(null, now.AddDays(-days), now.AddSeconds(1), cancellationToken);
        var ranking = records.GroupBy(r => r.To.Id)
            .Select(g => ComplianceCalculator.For(g.First().To, [.. g], now))
            .OrderByDescending(p => p.Answered + p.Expired == 0 ? -1 : p.OnTimeRate).ThenBy(p => p.Partner.Id, StringComparer.Ordinal)
            .ToList();
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p>Exchanges submitted in the last {days} days. On time = answered within the legal deadline ÷ (answered + expired);
            a refusal counts in neither and is shown apart, so refusing fast never raises a rate.</p>
            """);
        body.Append(Table(["Rank", "Partner", "On time", "Answered", "Refused", "Refusal rate", "Expired", "Open past deadline"],
            ranking.Select((p, i) => new[]
            {
                Num((i + 1).ToString(CultureInfo.InvariantCulture)), E(p.Partner.Id), Num(Rate(p)), Num(p.Answered.ToString(CultureInfo.InvariantCulture)),
                Num(p.Rejected.ToString(CultureInfo.InvariantCulture)), Num(Percent(p.Answered + p.Rejected + p.Expired == 0 ? null : p.RefusalRate)),
                Num(p.Expired.ToString(CultureInfo.InvariantCulture)), Num(p.OpenOverdue.ToString(CultureInfo.InvariantCulture)),
            }), "Ranking by on-time rate"));
        var rows = records.GroupBy(r => (r.To.Id, r.Request.KindCase, r.Priority))
            .OrderBy(g => g.Key.Id, StringComparer.Ordinal).ThenBy(g => g.Key.KindCase).ThenBy(g => g.Key.Priority)
            .Select(g => (g.Key, Figures: ComplianceCalculator.For(g.First().To, [.. g], now)));
        body.Append(Table(["Partner", "Request kind", "Tier", "On time", "Answered", "Refused", "Expired", "Answer p50", "Answer p95"],
            rows.Select(x => new[]
            {
                E(x.Key.Id), E(RequestValidator.KindName(x.Key.KindCase)), E(x.Key.Priority.ToString().ToUpperInvariant()), Num(Rate(x.Figures)),
                Num(x.Figures.Answered.ToString(CultureInfo.InvariantCulture)), Num(x.Figures.Rejected.ToString(CultureInfo.InvariantCulture)),
                Num(x.Figures.Expired.ToString(CultureInfo.InvariantCulture)), Num(Duration(x.Figures.MedianTimeToAnswer)),
                Num(Duration(x.Figures.P95TimeToAnswer)),
            }), "By partner, request kind and tier"));
        return Page("Partner compliance", Viewer(viewer), body.ToString());
    }

    private static string Rate(PartnerCompliance p) => p.Answered + p.Expired == 0 ? "–" : Percent(p.OnTimeRate);

    private static string Duration(Google.Protobuf.WellKnownTypes.Duration? d) => d is null || d.Seconds + d.Nanos == 0
        ? "–"
        : d.ToTimeSpan() switch
        {
            { TotalHours: >= 1 } t => t.TotalHours.ToString("0.0", CultureInfo.InvariantCulture) + " h",
            { TotalMinutes: >= 1 } t => t.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) + " min",
            var t => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        };

    public async Task<string> TargetsAsync(PartnerIdentity viewer, int quarters, CancellationToken cancellationToken)
    {
        var figures = await targets.ComputeAsync(quarters, cancellationToken);
        var body = new StringBuilder("""
            <p class="noprint"><a href="/console/targets.csv">Download as CSV</a> · <a href="javascript:window.print()">Print</a></p>
            <p>By calendar quarter (China Standard Time). Green bars meet the goal; the dashed line is the goal.</p>
            """);
        var quartersShown = figures.Select(f => f.Quarter).Distinct().ToList();
        body.Append(Table(["Target", "Goal", .. quartersShown, "Trend"], TargetsCalculator.Targets.Select(t =>
        {
            var row = figures.Where(f => f.Target == t.Name).ToList();
            var cells = new List<string> { E(t.Name), Num(Percent(t.Goal)) };
            cells.AddRange(row.Select(f => Num($"<span class=\"{(f.Value is null ? "muted" : f.Value >= t.Goal ? "ok" : "miss")}\">{Percent(f.Value)}</span>"
                + $" <span class=\"muted\">({f.Numerator.ToString(CultureInfo.InvariantCulture)}/{f.Denominator.ToString(CultureInfo.InvariantCulture)})</span>")));
            var known = row.Where(f => f.Value is not null).ToList();
            cells.Add(known.Count < 2 ? "–" : known[^1].Value > known[^2].Value ? "▲ up" : known[^1].Value < known[^2].Value ? "▼ down" : "= level");
            return cells;
        }), "Targets by quarter"));
        foreach (var (name, goal) in TargetsCalculator.Targets)
        {
            body.Append("<h2>").Append(E(name)).Append("</h2>")
                .Append(Bars(name, [.. figures.Where(f => f.Target == name).Select(f => (f.Quarter, f.Value))], goal));
        }

        return Page("Targets", Viewer(viewer), body.ToString());
    }

    public async Task<string> TargetsCsvAsync(int quarters, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder("quarter,target,goal,value,numerator,denominator\n");
        foreach (var f in await targets.ComputeAsync(quarters, cancellationToken))
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{f.Quarter},{f.Target},{f.Goal:0.00},{(f.Value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "")},{f.Numerator},{f.Denominator}\n");
        }

        return csv.ToString();
    }

    /// <summary>A police unit's own case, or for an auditor any centre's case with every personal field as a pseudonym.</summary>
    public async Task<string> CaseAsync(PartnerIdentity viewer, string? caseNumber, string? centre, CancellationToken cancellationToken)
    {
        var form = $"""
            <form method="get" action="/console/case" class="noprint">Case number <input name="case" value="{E(caseNumber)}">
            {(viewer.Kind == PartnerKind.Auditor ? $"Opened by <input name=\"centre\" value=\"{E(centre)}\" placeholder=\"police-shenzhen\">" : "")}
            <button>Show</button></form>
            """;
        if (string.IsNullOrEmpty(caseNumber))
        {
            return Page("A case", Viewer(viewer), form);
        }

        var submitter = viewer.Kind == PartnerKind.Auditor ? centre ?? "" : viewer.Id;
        var records = submitter.Length == 0 ? [] : await store.GetCaseAsync(submitter, caseNumber, cancellationToken);
        if (records.Count == 0)
        {
            return Page("A case", Viewer(viewer), form + $"<p class=\"miss\">Case {E(caseNumber)} does not exist or was not opened by '{E(submitter)}'.</p>");
        }

        var shown = records.Select(r => viewer.Kind == PartnerKind.Auditor
            ? masker.Mask(r, new MaskingContext(viewer, r.Case.LegalBasis, r.Request.KindCase, false)).Message
            : access.ForSubmitter(viewer, r)).ToList();
        var money = CaseMoneyView.Of(shown, registry);
        var body = new StringBuilder(form);
        body.Append(CultureInfo.InvariantCulture, $"""
            <h2>Money</h2><table><tbody>
            <tr><th>Reported loss</th>{Num(Money(money.ReportedLoss))}</tr><tr><th>Stopped</th>{Num(Money(money.Stopped))}</tr>
            <tr><th>Frozen</th>{Num(Money(money.Frozen))}</tr><tr><th>Returned</th>{Num(Money(money.Returned))}</tr>
            <tr><th>Released</th>{Num(Money(money.Released))}</tr>
            <tr><th>Recovery rate</th>{Num(money.ReportedLoss.MinorUnits > 0 ? Percent(money.RecoveryRate) : "–")}</tr></tbody></table>
            """);
        if (money.TrailLeftNetwork.Count > 0)
        {
            body.Append(Table(["Reported by", "Amount", "To institution", "Account", "Transaction"], money.TrailLeftNetwork.Select(x => new[]
            {
                E(x.ExchangeId), Num(Money(x.Transfer.Amount)), E(x.Transfer.Counterparty?.BankId), E(x.Transfer.Counterparty?.AccountNumber),
                E(x.Transfer.TransactionId),
            }), "The trail left the network: transfers to institutions outside the hub"));
        }

        body.Append("<h2>Fund-trace tree</h2>").Append(Tree(shown, ""));
        body.Append("<h2>Timeline</h2>").Append(Table(["Time", "Exchange", "What"], Timeline(shown)));
        return Page($"Case {caseNumber}", Viewer(viewer), body.ToString());
    }

    private static string Tree(IReadOnlyList<ExchangeRecord> records, string parent)
    {
        var ids = records.Select(r => r.ExchangeId).ToHashSet(StringComparer.Ordinal);
        var children = records.Where(r => (ids.Contains(r.ParentExchangeId) ? r.ParentExchangeId : "") == parent)
            .OrderBy(r => r.SubmittedAt.ToDateTimeOffset()).ToList();
        if (children.Count == 0)
        {
            return "";
        }

        var html = new StringBuilder("<ul class=\"tree\">");
        foreach (var r in children)
        {
            var account = r.Request.KindCase switch
            {
                Request.KindOneofCase.StopPayment => r.Request.StopPayment.Account,
                Request.KindOneofCase.Freeze => r.Request.Freeze.Account,
                Request.KindOneofCase.FundReturn => r.Request.FundReturn.Account,
                _ => null,
            };
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(RequestValidator.KindName(r.Request.KindCase))} <code>{E(r.ExchangeId)}</code> to {E(r.To.Id)}")
                .Append(account is null ? "" : $", account {E(account.AccountNumber)}" + (account.AccountName.Length > 0 ? $" ({E(account.AccountName)})" : ""))
                .Append(CultureInfo.InvariantCulture, $": {E(r.State.ToString())}")
                .Append(CaseMoneyView.Held(r) is { } held ? $", held {Money(held)}" : "")
                .Append(Tree(records, r.ExchangeId)).Append("</li>");
        }

        return html.Append("</ul>").ToString();
    }

    private static IEnumerable<string[]> Timeline(IReadOnlyList<ExchangeRecord> records) => records
        .SelectMany(r => new (Google.Protobuf.WellKnownTypes.Timestamp? At, string What)[]
        {
            (r.SubmittedAt, $"{RequestValidator.KindName(r.Request.KindCase)} submitted to {r.To.Id}"),
            (r.DeliveredAt, "delivered"), (r.AcknowledgedAt, "acknowledged"), (r.AnsweredAt, "answered"),
            (r.RejectedAt, "refused"), (r.ExpiredAt, "deadline passed unanswered"), (r.CancelledAt, "cancelled"),
        }.Where(x => x.At is not null).Select(x => (At: x.At!.ToDateTimeOffset(), r.ExchangeId, x.What)))
        .OrderBy(x => x.At)
        .Select(x => new[] { E(Time(x.At)), E(x.ExchangeId), E(x.What) });

    /// <summary>The newest signed checkpoint; the proof that the log only grew since the size and root the viewer saw last (kept in
    /// a cookie of the viewer's own browser), checked here against that root; and, for auditors, a search of entries.</summary>
    public string Audit(PartnerIdentity viewer, string? lastSeen, string? search, out string seen)
    {
        var note = audit.LatestCheckpoint() ?? audit.SignCheckpoint();
        var checkpoint = SignedCheckpoint.Verify(note, audit.Origin, audit.PublicKeys);
        seen = $"{checkpoint.Size}:{Convert.ToHexString(checkpoint.RootHash)}";
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p>The log <code>{E(audit.Origin)}</code> holds {audit.Size} receipted entries; the newest signed checkpoint covers {checkpoint.Size},
            signed {(checkpoint.Time is { } t ? E(Time(t)) : "–")}:</p><pre>{E(note)}</pre>
            """);
        body.Append("<h2>Since your last visit</h2>").Append(GrewSince(lastSeen, checkpoint));
        if (viewer.Kind == PartnerKind.Auditor)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2>Search entries</h2><form method="get" action="/console/audit" class="noprint">Case number or exchange id
                <input name="q" value="{E(search)}"> <button>Search</button></form>
                """);
            if (!string.IsNullOrWhiteSpace(search))
            {
                body.Append(SearchEntries(search.Trim(), checkpoint.Size));
            }
        }

        return Page("The audit log", Viewer(viewer), body.ToString());
    }

    private string GrewSince(string? lastSeen, CheckpointBody now)
    {
        var parts = lastSeen?.Split(':');
        if (parts is not [var sizeText, var rootText] || !long.TryParse(sizeText, CultureInfo.InvariantCulture, out var size) || size < 0)
        {
            return "<p>This is your first visit from this browser: the checkpoint above is remembered, and the next visit proves the log only grew since.</p>";
        }

        byte[] root;
        try
        {
            root = Convert.FromHexString(rootText);
        }
        catch (FormatException)
        {
            return "<p class=\"miss\">The remembered checkpoint is unreadable; the one above is remembered instead.</p>";
        }

        if (size > now.Size)
        {
            return $"<p class=\"miss\">NOT PROVEN: you last saw {size} entries, the log now holds {now.Size}. The log shrank or was replaced.</p>";
        }

        var proof = audit.ConsistencyProof(size, now.Size);
        var ok = MerkleVerifier.VerifyConsistency(size, now.Size, root, now.RootHash, proof);
        return ok
            ? $"<p class=\"ok\">Verified: the log only grew since your last visit, from {size} to {now.Size} entries (consistency proof of {proof.Count} hashes, checked against the root you saw).</p>"
            : $"<p class=\"miss\">NOT PROVEN: the log at {now.Size} entries is not an extension of the one you saw at {size}.</p>";
    }

    /// <summary>Entries naming a case or an exchange among the newest 100,000: ids, kinds and actors only (no personal data is ever in
    /// an entry; request bodies are salted commitments).</summary>
    private string SearchEntries(string q, long size)
    {
        var from = Math.Max(0, size - 100_000);
        var hits = audit.Read(from, size).Where(e => e.CaseNumber == q || e.ExchangeId == q).TakeLast(200).ToList();
        return Table(["Index", "Time", "Kind", "Actor", "Exchange", "Case", "Detail"], hits.Select(e => new[]
        {
            Num(e.Index.ToString(CultureInfo.InvariantCulture)), E(Time(e.At.ToDateTimeOffset())), E(e.Kind.ToString()), E(e.Actor?.Id),
            E(e.ExchangeId), E(e.CaseNumber), E(e.Detail),
        }), $"{hits.Count} entries for '{q}' among the newest {size - from}");
    }

    /// <summary>An auditor sees all; a police unit what it sent or was sent (dissuasion instructions); a bank or carrier what was sent
    /// to it.</summary>
    private static bool Sees(PartnerIdentity viewer, ExchangeRecord r) =>
        viewer.Kind == PartnerKind.Auditor || r.From.Id == viewer.Id || r.To.Id == viewer.Id;
}
