using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Records that an item was written to its recipient's stream, off the stream's path: the DELIVERED
/// state (at-least-once needs no durable DELIVERED: a crash before it commits means one more delivery)
/// and the Delivered audit entry, which is retried until it is durable, so every delivery is in the log.
/// </summary>
internal sealed class DeliveryRecorder(
    IExchangeStore store,
    IAuditSink audit,
    EventBus bus,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DeliveryRecorder> logger)
{
    /// <summary>Waits between attempts to write a delivery's audit entry: doubling from the first to the last.</summary>
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(50);

    internal static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    public void Delivered(PartnerIdentity recipient, AuditEvent delivered)
    {
        // On the embedded store the single writer keeps this write ahead of the recipient's Ack; on Redis an
        // Ack that overtakes it leaves it counting the attempt only (a state never goes back).
        _ = RecordStateAsync(recipient, delivered.ExchangeId!);
        _ = AuditUntilDurableAsync(delivered);
    }

    private async Task RecordStateAsync(PartnerIdentity recipient, string exchangeId)
    {
        try
        {
            var committed = await store.UpdateAsync(exchangeId, r => ExchangeLifecycle.Delivered(r, time.GetUtcNow()),
                CancellationToken.None);
            bus.Publish(committed.Record.From.Id, committed.Events);
        }
        catch (Exception ex)
        {
            ExchangeLog.DeliveryNotRecorded(logger, exchangeId, recipient.Id, ex);
        }
    }

    private async Task AuditUntilDurableAsync(AuditEvent delivered)
    {
        var stopping = lifetime.ApplicationStopping;
        var wait = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await audit.RecordAsync(delivered, stopping);
                if (attempt > 1)
                {
                    ExchangeLog.DeliveryAuditedAfterRetry(logger, delivered.ExchangeId ?? "-", attempt);
                }

                return;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                ExchangeLog.DeliveryNotAuditedYet(logger, delivered.ExchangeId ?? "-", attempt, wait, ex);
            }
            catch (Exception ex)
            {
                // The hub is stopping: the item was not acknowledged through this hub, so it is delivered (and audited) again.
                ExchangeLog.DeliveryNotAudited(logger, delivered.ExchangeId ?? "-", ex);
                return;
            }

            try
            {
                await Task.Delay(wait, time, stopping);
            }
            catch (OperationCanceledException)
            {
                ExchangeLog.DeliveryNotAudited(logger, delivered.ExchangeId ?? "-", null);
                return;
            }

            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LastRetry.Ticks));
        }
    }
}
