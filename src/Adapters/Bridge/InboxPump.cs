using AntiFraud.Exchange.Protocol.Clients;
using System.Globalization;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// Hub to partner: subscribes to the partner's inbox and writes each item, in the partner's native
/// format, into outbox/ exactly once, then acknowledges it. Reconnects with back-off.
/// </summary>
internal sealed class InboxPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    BridgeTranslators translators,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<InboxPump> logger) : BackgroundService
{
    private static readonly CanonicalJson<InboxItem> Json = new(InboxItem.Descriptor);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(options.Value.MaxBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var call = hub.Inbox.Subscribe(
                    new SubscribeRequest { PartnerId = options.Value.PartnerId, MaxInFlight = options.Value.MaxInFlight },
                    new Grpc.Core.CallOptions(cancellationToken: stoppingToken));
                var announced = false;
                while (await call.ResponseStream.MoveNext(stoppingToken))
                {
                    if (!announced)
                    {
                        BridgeLog.Subscribed(logger, options.Value.PartnerId);
                        announced = true;
                    }

                    backoff.Reset();
                    var item = call.ResponseStream.Current;
                    await DeliverAsync(item, stoppingToken);
                    await hub.Inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId },
                        new Grpc.Core.CallOptions(cancellationToken: stoppingToken).WithTimeout(TimeSpan.FromSeconds(30), time));
                }

                // The hub ended the stream (shutting down): reconnect.
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "the hub ended the inbox stream"));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Grpc.Core.RpcException e) when (IdentityRefused.Is(e))
            {
                refused.Stop(e);
                return;
            }
            catch (Exception e) when (HubConnection.IsTransient(e) || e is Grpc.Core.RpcException)
            {
                var delay = backoff.Next();
                BridgeLog.HubUnavailable(logger, e.Message, delay);
                await Delay(delay, stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The folder is full or not writable: nothing was acknowledged, so the hub redelivers.
                var delay = backoff.Next();
                BridgeLog.Unexpected(logger, e, "inbox", delay);
                await Delay(delay, stoppingToken);
            }
        }
    }

    private async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes one item to outbox/ unless it already is there (a redelivery after a crash or a lost Ack). A bulk order is
    /// written as CSV with all its items, fetched a chunk at a time.</summary>
    internal async Task DeliverAsync(InboxItem item, CancellationToken cancellationToken)
    {
        if (folders.WasDelivered(item.ExchangeId))
        {
            BridgeLog.AlreadyWritten(logger, item.ExchangeId);
            return;
        }

        if (item.Request.KindCase == Request.KindOneofCase.BulkOrder)
        {
            var name = FileName(item, ".bulk.csv");
            var staged = await folders.StageAsync(name, (file, ct) => BulkOrderFile.WriteAsync(hub.Bulk, item, file, ct), cancellationToken);
            folders.Publish(item.ExchangeId, staged);
            BridgeLog.Wrote(logger, name, item.ExchangeId, "bulk-order-csv");
            return;
        }

        var translator = translators.For(item);
        byte[] content;
        try
        {
            content = Write(translator, item);
        }
        catch (TranslationException e)
        {
            var kept = deadLetters.KeepContent(item.ExchangeId + ".json", Json.Write([item]), "outbound", Details(e));
            BridgeLog.OutboundFailed(logger, item.ExchangeId, translator.Format.Name, e.Message, kept);
            return;
        }

        Publish(item, translator, content);
    }

    private static byte[] Write(INativeTranslator<InboxItem> translator, InboxItem item)
    {
        try
        {
            return translator.Write([item]);
        }
        catch (Exception e) when (e is not TranslationException)
        {
            throw TranslationException.Unexpected(translator.Format.Name, e);
        }
    }

    internal string Publish(InboxItem item, INativeTranslator<InboxItem> translator, byte[] content)
    {
        var name = FileName(item, translator.Format.Extension);
        var staged = folders.Stage(name, content);
        folders.Publish(item.ExchangeId, staged);
        BridgeLog.Wrote(logger, name, item.ExchangeId, translator.Format.Name);
        return Path.Combine(folders.Outbox, name);
    }

    /// <summary>P1 sorts before P4, then by time: a partner taking files in name order takes the most urgent first.</summary>
    private string FileName(InboxItem item, string extension) => string.Create(CultureInfo.InvariantCulture,
        $"P{(int)item.Priority}-{time.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{item.ExchangeId}{extension}");

    /// <summary>Re-publishes an outbound dead letter (the canonical JSON of an inbox item) after the configuration was fixed.</summary>
    internal string Republish(DeadLetter letter)
    {
        var item = Json.Read(File.ReadAllBytes(letter.Path))[0];
        var translator = translators.For(item);
        return Publish(item, translator, translator.Write([item]));
    }

    internal static Dictionary<string, string> Details(TranslationException e) => new()
    {
        ["format"] = e.Format,
        ["position"] = e.Position,
        ["field"] = e.Field,
        ["problem"] = e.Problem,
    };
}
