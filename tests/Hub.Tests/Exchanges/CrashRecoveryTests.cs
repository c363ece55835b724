using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

public sealed class CrashRecoveryTests
{
    /// <summary>
    /// Police centres submit and a bank acknowledges and answers, under load, while the hub process is
    /// killed with SIGKILL. After a restart on the same store: every acknowledged submission,
    /// acknowledgement and answer is there, every unacknowledged exchange is delivered again, an
    /// idempotent resubmit still finds its exchange, and the deadlines armed before the crash fire.
    /// </summary>
    [Fact]
    public async Task Hub_KilledMidLoad_LosesNothingItAcknowledged()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-crash-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var policy = Path.Combine(dir, "deadlines.json");
        await File.WriteAllTextAsync(policy, """{ "deadlines": { "freeze": { "HIGH": "00:00:12" } } }""");
        string[] settings = [$"--Hub:Store:Path={dir}/hub.db", $"--Hub:Deadlines:PolicyPath={policy}"];

        var submitted = new ConcurrentDictionary<string, SubmitRequest>();
        var acked = new ConcurrentDictionary<string, byte>();
        var answered = new ConcurrentDictionary<string, byte>();
        using (var hub = await HubProcess.StartAsync(settings))
        {
            using var police = Channel(hub, "police-shenzhen");
            using var bank = Channel(hub, "bank-alpha");
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                var client = new ExchangeClient(police);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var request = Requests.Freeze("bank-alpha", $"62{worker:D2}{i:D10}", 100_00 + i, Priority.High, Requests.Case("SZ-CRASH"));
                    try
                    {
                        var reply = await client.SubmitAsync(request);
                        submitted[reply.ExchangeId] = request;
                    }
                    catch (RpcException)
                    {
                        return; // the hub died under us: anything not acknowledged may be lost
                    }
                }
            })).ToList();
            var responder = Task.Run(async () =>
            {
                var inbox = new InboxClient(bank);
                try
                {
                    using var stream = inbox.Subscribe(new SubscribeRequest { MaxInFlight = 64 });
                    var n = 0;
                    while (await stream.ResponseStream.MoveNext())
                    {
                        var id = stream.ResponseStream.Current.ExchangeId;
                        if (n++ % 2 == 0)
                        {
                            await inbox.AckAsync(new AckRequest { ExchangeId = id });
                            acked[id] = 0;
                        }

                        if (n % 5 == 0)
                        {
                            await inbox.RespondAsync(new RespondRequest { ExchangeId = id, Result = Requests.Executed(1) });
                            answered[id] = 0;
                        }
                    }
                }
                catch (RpcException)
                {
                    // The hub died.
                }
            });

            while (submitted.Count < 600 || answered.Count < 20)
            {
                await Task.Delay(20);
            }

            hub.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(load);
            await responder;
        }

        using var restarted = await HubProcess.StartAsync(settings);
        using var police2 = Channel(restarted, "police-shenzhen");
        using var bank2 = Channel(restarted, "bank-alpha");
        var exchange = new ExchangeClient(police2);

        var records = new Dictionary<string, ExchangeRecord>();
        foreach (var id in submitted.Keys)
        {
            records[id] = await exchange.GetAsync(new GetExchangeRequest { ExchangeId = id });
        }

        // An acknowledgement survives as its timestamp (the 12 s deadline may since have expired the exchange).
        Assert.All(acked.Keys, id => Assert.NotNull(records[id].AcknowledgedAt));
        Assert.All(answered.Keys, id => Assert.Equal(ExchangeState.Answered, records[id].State));

        var (someId, someRequest) = submitted.First();
        var again = await exchange.SubmitAsync(someRequest);
        Assert.True(again.Duplicate);
        Assert.Equal(someId, again.ExchangeId);

        // Every exchange the bank had not acknowledged comes again; none it had acknowledged does.
        var expected = records.Where(r => r.Value.AcknowledgedAt is null && r.Value.State is not (ExchangeState.Answered or ExchangeState.Rejected or ExchangeState.Cancelled))
            .Select(r => r.Key).ToHashSet();
        // Read until every expected item came: the stream may also bring exchanges the hub stored whose Submit reply the kill cut off
        // (the client never learnt their ids), so counting items is not enough.
        var redelivered = new HashSet<string>();
        using (var stream = new InboxClient(bank2).Subscribe(new SubscribeRequest { MaxInFlight = 1000 }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(30))))
        {
            try
            {
                while (!expected.IsSubsetOf(redelivered) && await stream.ResponseStream.MoveNext())
                {
                    redelivered.Add(stream.ResponseStream.Current.ExchangeId);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                // Something expected never came: the subset check below names it.
            }
        }

        Assert.NotEmpty(expected);
        Assert.Subset(redelivered, expected);
        Assert.Empty(redelivered.Intersect(acked.Keys));

        // Deadlines armed before the crash are re-armed: the unanswered ones expire on the restarted hub.
        var open = expected.FirstOrDefault(id => records[id].State != ExchangeState.Expired) ?? expected.First();
        var state = ExchangeState.Unspecified;
        for (var attempt = 0; attempt < 120 && state != ExchangeState.Expired; attempt++)
        {
            state = (await exchange.GetAsync(new GetExchangeRequest { ExchangeId = open })).State;
            await Task.Delay(250);
        }

        Assert.Equal(ExchangeState.Expired, state);
        Directory.Delete(dir, recursive: true);
    }

    private static GrpcChannel Channel(HubProcess hub, string partner) => GrpcChannel.ForAddress(hub.Address, DevPki.ChannelOptions(partner));
}
