using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Clients.Alerts;

/// <summary>
/// Plausible early-warning signals from a simulated bank (paused transfers) or carrier (fraud calls through an
/// international gateway), about made-up people in the dev hierarchy's divisions. Used by serve-sim
/// --raise-every, the demo and the alert benchmark.
/// </summary>
internal sealed class AlertRaiser(GrpcChannel channel, string kind)
{
    private static readonly string[] Divisions = ["440304001", "440304", "440305005", "440305", ""];

    private readonly AlertsClient _alerts = new(channel);
    private long _raised;

    public long Raised => Interlocked.Read(ref _raised);

    public event Action<string>? Log;

    /// <summary>A signal about the person with this phone number, as this kind of partner sees it.</summary>
    public static RaiseAlertRequest Signal(string kind, string phone, string division, Priority tier, string key, long fen = 50_000_00)
    {
        var request = new RaiseAlertRequest
        {
            IdempotencyKey = key,
            Victim = new PotentialVictim { Person = new Person { Phone = new PhoneNumber { E164 = phone } }, DivisionCode = division },
            Signal = new AlertSignal { SuggestedTier = tier },
        };
        if (kind == "bank")
        {
            request.Signal.BankTransfer = new BankTransferSignal
            {
                Amount = new Money { Currency = "CNY", MinorUnits = fen },
                Payee = new AccountRef { BankId = "bank-beta", AccountNumber = "6222990000007777", AccountName = "王五" },
                Channel = "MOBILE",
                Paused = true,
            };
        }
        else
        {
            request.Signal.SuspiciousCalls = new SuspiciousCallsSignal
            {
                Kind = CommunicationKind.VoiceCall,
                SuspectNumber = new PhoneNumber { E164 = "+85230001234" },
                Gateway = "GW-HK-07",
                International = true,
                SpoofingSuspected = true,
                Count = 3,
                TotalDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(42)),
            };
        }

        return request;
    }

    /// <summary>Raises one signal every <paramref name="every"/> until cancelled; a refused or failed raise is logged and the next one
    /// tried.</summary>
    public async Task RunAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            var phone = "+86139" + Random.Shared.Next(10_000_000, 99_999_999);
            try
            {
                var reply = await _alerts.RaiseAsync(Signal(kind, phone, Divisions[i % Divisions.Length], Priority.Medium,
                    "sim-" + Guid.NewGuid().ToString("N")), new CallOptions(cancellationToken: cancellationToken).WithTimeout(TimeSpan.FromSeconds(30)));
                Interlocked.Increment(ref _raised);
                Log?.Invoke($"raised {reply.AlertId} about {phone}: tier {reply.Tier}{(reply.Fused ? " (fused)" : string.Empty)}");
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                Log?.Invoke($"raise refused or failed: {e.StatusCode}: {e.Status.Detail}");
            }

            await Task.Delay(every, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
