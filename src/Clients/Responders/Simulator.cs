using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Clients.Responders;

/// <summary>How a simulated bank or carrier behaves.</summary>
internal enum Behaviour
{
    /// <summary>Acknowledge, then answer with a plausible full result.</summary>
    Answer,

    /// <summary>Holds only part of the amount.</summary>
    Partial,

    /// <summary>Refuses every request.</summary>
    Reject,

    /// <summary>Acknowledges and never answers (to see escalations).</summary>
    Silent,
}

internal sealed record SimulatorOptions(TimeSpan Latency, Behaviour Behaviour, string? OnwardTo = null, uint Window = 64);

/// <summary>
/// A simulated bank or carrier: takes its inbox over mTLS, acknowledges each item, waits the configured
/// latency and answers with a plausible result. With <c>OnwardTo</c> a bank reports that part of the held
/// money had already moved on to that bank, which is what makes the hub follow the money. Reconnects
/// when the hub goes away. Used by afx serve-sim, the demo and the load generator.
/// </summary>
internal sealed class Simulator(GrpcChannel channel, string partnerId, SimulatorOptions options, TimeProvider time)
{
    private readonly InboxClient _inbox = new(channel);
    private long _answered;

    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Raised after each answer: the item and the hub's reply.</summary>
    public event Action<InboxItem, RespondResponse>? Responded;

    public event Action<string>? Log;

    /// <summary>Writes a line to this simulator's log (its alert raiser reports here).</summary>
    public void Report(string line) => Log?.Invoke(line);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var stream = _inbox.Subscribe(new SubscribeRequest { PartnerId = partnerId, MaxInFlight = options.Window },
                    new CallOptions(cancellationToken: cancellationToken));
                while (await stream.ResponseStream.MoveNext(cancellationToken))
                {
                    backoff = TimeSpan.FromMilliseconds(200);
                    var item = stream.ResponseStream.Current;
                    _ = Task.Run(() => HandleAsync(item, cancellationToken), cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
            {
                Log?.Invoke($"{partnerId}: inbox stream ended ({e.Message}); reconnecting in {backoff.TotalMilliseconds:F0} ms");
                try
                {
                    await Task.Delay(backoff, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task HandleAsync(InboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId }, new CallOptions(cancellationToken: cancellationToken));
            if (options.Behaviour == Behaviour.Silent)
            {
                Log?.Invoke($"{partnerId}: acknowledged {item.ExchangeId} and stays silent");
                return;
            }

            if (options.Latency > TimeSpan.Zero)
            {
                await Task.Delay(options.Latency, time, cancellationToken);
            }

            if (item.Request.KindCase == Request.KindOneofCase.BulkOrder && options.Behaviour != Behaviour.Reject)
            {
                await AnswerBulkAsync(item, cancellationToken);
                return;
            }

            var answer = Answer(item, time.GetUtcNow());
            var reply = await _inbox.RespondAsync(answer, new CallOptions(cancellationToken: cancellationToken));
            Interlocked.Increment(ref _answered);
            Log?.Invoke($"{partnerId}: answered {item.ExchangeId} ({item.Request.KindCase}) -> {reply.State}"
                + (reply.FollowUpExchangeIds.Count > 0 ? $"; the hub followed the money: {string.Join(", ", reply.FollowUpExchangeIds)}" : ""));
            Responded?.Invoke(item, reply);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // Already answered (a redelivery): nothing to do.
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
        {
            Log?.Invoke($"{partnerId}: {item.ExchangeId} not answered ({e.Message}); the hub will deliver it again");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A bulk order: every item fetched and answered in chunks (one in ten is not this partner's customer).</summary>
    private async Task AnswerBulkAsync(InboxItem item, CancellationToken cancellationToken)
    {
        var bulk = new BulkOrdersClient(channel);
        var at = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var results = BulkTransfer.FetchAsync(bulk, item.ExchangeId, 0, cancellationToken).Select(i => new BulkItemResult
        {
            ItemNo = i.ItemNo,
            Outcome = i.ItemNo % 10 == 0 ? BulkItemOutcome.NotOurCustomer : BulkItemOutcome.Done,
            DoneAt = at,
        });
        var last = await BulkTransfer.AnswerAsync(bulk, item.ExchangeId, results, null, new CallOptions(cancellationToken: cancellationToken));
        Interlocked.Increment(ref _answered);
        Log?.Invoke($"{partnerId}: answered bulk order {item.ExchangeId}: {last?.Counts.Answered}/{last?.Counts.Total} items -> {last?.State}");
    }

    public RespondRequest Answer(InboxItem item, DateTimeOffset now)
    {
        var answer = new RespondRequest { ExchangeId = item.ExchangeId };
        if (options.Behaviour == Behaviour.Reject)
        {
            answer.RejectionReason = "simulated refusal: the account is not ours";
            return answer;
        }

        var at = Timestamp.FromDateTimeOffset(now);
        var request = item.Request;
        answer.Result = request.KindCase switch
        {
            Request.KindOneofCase.StopPayment => new Result { StopPayment = Hold(item, request.StopPayment.Account,
                request.StopPayment.Amount, now, TimeSpan.FromHours(48)) },
            Request.KindOneofCase.Freeze => new Result { Freeze = Hold(item, request.Freeze.Account, request.Freeze.Amount, now,
                request.Freeze.FreezePeriod?.ToTimeSpan()) },
            Request.KindOneofCase.FreezeRelease =>
                new Result { FreezeRelease = new FreezeReleaseResult { Status = ReleaseStatus.Released, ReleasedAt = at } },
            Request.KindOneofCase.FundReturn => new Result
            {
                FundReturn = new FundReturnResult
                {
                    Status = ReturnStatus.Returned, AmountReturned = request.FundReturn.Amount, ReturnedAt = at,
                    TransferReference = "SIM-" + item.ExchangeId[^8..],
                },
            },
            Request.KindOneofCase.AccountQuery => new Result { AccountQuery = Query(now) },
            Request.KindOneofCase.CallTrace => new Result { CallTrace = Trace(request.CallTrace, now) },
            Request.KindOneofCase.NumberSuspension => new Result
            {
                NumberSuspension = new SuspensionResult
                {
                    Status = SuspensionStatus.Suspended, SuspendedAt = at,
                    SuspendedUntil = request.NumberSuspension.Period is { } p ? Timestamp.FromDateTimeOffset(now + p.ToTimeSpan()) : null,
                },
            },
            _ => null,
        };
        return answer;
    }

    private HoldResult Hold(InboxItem item, AccountRef account, Money amount, DateTimeOffset now, TimeSpan? lasts)
    {
        var held = options.Behaviour == Behaviour.Partial || options.OnwardTo is not null
            ? amount.MinorUnits * 4 / 10
            : amount.MinorUnits;
        var result = new HoldResult
        {
            Status = held == amount.MinorUnits ? HoldStatus.Executed : HoldStatus.Partial,
            AmountHeld = new Money { Currency = amount.Currency, MinorUnits = held },
            ExecutedAt = Timestamp.FromDateTimeOffset(now),
            HoldExpiresAt = lasts is { } l ? Timestamp.FromDateTimeOffset(now + l) : null,
            BalanceAfter = new Money { Currency = amount.Currency, MinorUnits = 0 },
            Reason = held == amount.MinorUnits ? "" : "part of the money had already left the account",
        };
        // Money that left before the hold: the hub follows it to the next bank (first hop only, to keep the story short).
        if (options.OnwardTo is { } next && item.ParentExchangeId.Length == 0)
        {
            var digits = Math.Abs(account.AccountNumber.GetHashCode(StringComparison.Ordinal)) % 1_000_000_000;
            result.OnwardTransfers.Add(new Transaction
            {
                TransactionId = $"{partnerId.ToUpperInvariant()}-{now:yyyyMMddHHmmss}-0001",
                BookedAt = Timestamp.FromDateTimeOffset(now.AddMinutes(-4)),
                Amount = new Money { Currency = amount.Currency, MinorUnits = amount.MinorUnits - held },
                Direction = TransferDirection.Debit,
                Counterparty = new AccountRef { BankId = next, AccountNumber = $"6230580{digits:D9}", AccountName = "孙七" },
                Channel = "MOBILE",
            });
        }

        return result;
    }

    private static AccountQueryResult Query(DateTimeOffset now)
    {
        var result = new AccountQueryResult
        {
            Status = QueryStatus.Found,
            Holder = new Person { Name = "李四", NationalId = "450102199001011234", Phone = new PhoneNumber { E164 = "+8613900139000" } },
            Balance = new Money { Currency = "CNY", MinorUnits = 0 },
            AccountState = AccountState.Frozen,
            OpenedAt = Timestamp.FromDateTimeOffset(now.AddDays(-21)),
        };
        result.Transactions.Add(new Transaction
        {
            TransactionId = "SIM-0001", BookedAt = Timestamp.FromDateTimeOffset(now.AddMinutes(-20)), Direction = TransferDirection.Credit,
            Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 }, Channel = "MOBILE",
        });
        return result;
    }

    private static CallTraceResult Trace(CallTraceRequest request, DateTimeOffset now)
    {
        var seen = Timestamp.FromDateTimeOffset(request.CallTime?.ToDateTimeOffset() ?? now.AddMinutes(-30));
        var result = new CallTraceResult { Status = TraceStatus.Found, CallerIdSpoofed = true };
        result.Hops.Add(new CallHop
        {
            Sequence = 1, Network = "VoIP gateway, Phnom Penh", Gateway = "GW-KH-PP-07", Trunk = "SIP-INTL-3312", CountryOfEntry = "KH",
            CallerIdSpoofed = true, IpAddress = "203.0.113.45", PresentedNumber = request.PresentedNumber,
            OriginalNumber = new PhoneNumber { E164 = "+85523880123" }, SeenAt = seen,
        });
        result.Hops.Add(new CallHop
        {
            Sequence = 2, Network = "46000", Gateway = "GMSC-GZ-02", Trunk = "IGW-GZ-17", CountryOfEntry = "CN",
            LocationArea = "LAC 0x2A1F", PresentedNumber = request.PresentedNumber, SeenAt = seen,
        });
        return result;
    }
}
