using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Looks at the operator's files every half second (the partner registry, the CRL, the masking,
/// deadline and alert policies, the hub's TLS certificate, the pseudonym secret, the audit signing key and the retention policy), so an edit takes effect within a second whether or not a call arrives; a
/// changed registry or CRL ends the open streams of partners it cuts off.
/// </summary>
internal sealed class ConfigurationWatcher(
    PartnerRegistry registry,
    CrlStore crl,
    MaskingPolicy masking,
    DeadlinePolicy deadlines,
    AlertPolicy alerts,
    ServerCertificate certificate,
    PseudonymKeys pseudonyms,
    AuditSigningKey signingKey,
    RetentionPolicy retention,
    TimeProvider time,
    BackgroundFaults faults,
    ILogger<ConfigurationWatcher> logger) : PeriodicService(Interval, time, faults, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override Task RunOnceAsync(CancellationToken cancellationToken)
    {
        registry.Refresh();
        crl.Refresh();
        masking.Refresh();
        deadlines.Refresh();
        alerts.Refresh();
        certificate.Refresh();
        pseudonyms.Refresh();
        signingKey.Refresh();
        retention.Refresh();
        return Task.CompletedTask;
    }
}
