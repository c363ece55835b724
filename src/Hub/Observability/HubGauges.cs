using AntiFraud.Exchange.Hub.Shared;
using System.Diagnostics.Metrics;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;

namespace AntiFraud.Exchange.Hub.Observability;

/// <summary>
/// The hub's state as gauges, read when scraped: inbox depths, partners' streams, the revocation list's freshness, the audit
/// log's growth and signed checkpoint, and whether the store and the audit log work. Each callback reads memory only. The gauges
/// live on a meter of this hub's own (same name as <see cref="HubMetrics.Meter"/>), disposed with the hub, so nothing keeps
/// reading the services of a hub that has stopped.
/// </summary>
internal sealed class HubGauges : IDisposable
{
    private readonly Meter _meter = new(HubMetrics.MeterName);

    private static readonly KeyValuePair<string, object?>[] NoTags = [];

    public HubGauges(InboxBroker inboxes, PartnerStreams streams, CrlStore crl, AuditLog audit, HealthSnapshot health, TimeProvider time,
        string storeProvider)
    {
        var meter = _meter;
        meter.CreateObservableGauge("afx.inbox.depth", () => inboxes.Depths().Select(d =>
                new Measurement<long>(d.Count, new("partner", d.Recipient), new("tier", Tier(d.Rank)))),
            "{exchange}", "Exchanges waiting in a recipient's inbox or delivered and not yet acknowledged, by partner id and tier.");
        meter.CreateObservableGauge("afx.partner.streams", () => streams.Presences().Select(p =>
                new Measurement<long>(p.Open, new KeyValuePair<string, object?>("partner", p.Partner))),
            "{stream}", "Streams (inbox, watch, alerts) a partner has open now; partners that opened one since the hub started.");
        meter.CreateObservableGauge("afx.partner.streams.down", () => streams.Presences().Select(p =>
                new Measurement<double>(p.NoneSince is { } since ? (time.GetUtcNow() - since).TotalSeconds : 0,
                    new KeyValuePair<string, object?>("partner", p.Partner))),
            "s", "Seconds since a partner's last stream ended while it has none open (0 while one is open).");
        meter.CreateObservableGauge("afx.crl.next_update", () => crl.Current.NextUpdate is { } next
                ? new[] { new Measurement<double>(next.ToUnixTimeSeconds(), NoTags) }
                : Array.Empty<Measurement<double>>(),
            "s", "When the revocation list in force says the next one is due (Unix time); a stale list is past it.");
        meter.CreateObservableGauge("afx.audit.entries", () => audit.Size, "{entry}", "Receipted audit log entries.");
        meter.CreateObservableGauge("afx.audit.checkpoint.entries", () => audit.Checkpointed.Size, "{entry}",
            "Entries covered by the newest signed checkpoint.");
        meter.CreateObservableGauge("afx.audit.checkpoint.time", () => audit.Checkpointed.At is { } at
                ? new[] { new Measurement<double>(at.ToUnixTimeSeconds(), NoTags) }
                : Array.Empty<Measurement<double>>(),
            "s", "When the newest checkpoint was signed (Unix time).");
        meter.CreateObservableGauge("afx.up", () => new Measurement<int>[]
            {
                new(health.IsUp("store") ? 1 : 0, new("component", "store"), new("provider", storeProvider)),
                new(health.IsUp("audit") ? 1 : 0, new("component", "audit"), new("provider", "file")),
            },
            null, "1 while the component works (the store takes writes: SQLite commits, Redis answers; the audit log appends and is "
                + "unaltered), 0 while it fails; from the health check run every second.");
    }

    public void Dispose() => _meter.Dispose();

    private static string Tier(int rank) => rank is >= 1 and <= 4 ? HubMetrics.Label((Priority)rank) : "unspecified";
}
