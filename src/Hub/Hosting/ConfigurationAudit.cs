using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Writes every configuration load, change and refused edit (<see cref="ConfigurationJournal"/>) to the
/// audit log as CONFIGURATION_CHANGED: the file, its SHA-256 before and after, and what changed. A
/// failed write is retried (the log may be briefly unavailable); the hub never stops for it.
/// </summary>
internal sealed class ConfigurationAudit(ConfigurationJournal journal, IAuditSink audit, TimeProvider time, BackgroundFaults faults,
    ILogger<ConfigurationAudit> logger) : BackgroundService
{
    private static readonly PartnerRef Hub = new() { Kind = PartnerKind.Unspecified, Id = "hub" };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in journal.Changes.ReadAllAsync(stoppingToken))
        {
            var detail = $"{change.What} {change.Path}: {(change.Taken ? "in force" : "NOT taken")}; sha256 {change.Sha256}"
                + (change.PreviousSha256 is null ? string.Empty : $" (was {change.PreviousSha256})") + "; " + change.Summary;
            for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
            {
                try
                {
                    await audit.RecordAsync(new AuditEvent(AuditEventKind.ConfigurationChanged, Hub, detail), stoppingToken);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    faults.Record(nameof(ConfigurationAudit), ex, logger);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, stoppingToken);
                }
            }
        }
    }
}
