using AntiFraud.Exchange.Contract.V1;
using StackExchange.Redis;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// The exchange store on Redis, shared by several hub replicas. Each exchange is a hash (record,
/// version, queue order); transitions are Lua scripts that check the version they read, so two replicas
/// changing one exchange never lose an update; events are sorted sets scored by a global sequence;
/// unacknowledged work is a sorted set by queue order. Every acknowledged write has returned from Redis,
/// which with appendonly yes and appendfsync always means it is in the AOF on disk.
/// </summary>
internal sealed class RedisExchangeStore(RedisConnection redis) : IExchangeStore
{
    private const int MaxRetries = 100;

    private string P => redis.Prefix;

    private IDatabase Db => redis.Database;

    public CancellationToken Lost => redis.Lost;

    public async ValueTask<string?> UnwritableReasonAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConnected || redis.Lost.IsCancellationRequested)
        {
            return "Redis is unreachable";
        }

        try
        {
            await redis.Call(db => db.PingAsync(), cancellationToken);
            return null;
        }
        catch (StoreUnavailableException ex)
        {
            return ex.Message;
        }
    }

    private static string CaseKey(string submitter, string caseNumber) => submitter + "\n" + caseNumber;

    /// <summary>The Redis key part of a hold: one per (centre, case, bank, account), so a case never holds an account twice.</summary>
    private string? HoldKey(ExchangeRecord r) =>
        ExchangeStates.HoldKey(r) is { } hold ? string.Join('\n', r.From.Id, r.Case.CaseNumber, hold.Bank, redis.Cipher.BlindIndex(hold.Account)) : null;

    public async Task<SubmitOutcome> SubmitAsync(ExchangeRecord record, IReadOnlyList<WatchEvent> events,
        CancellationToken cancellationToken)
    {
        RedisValue[] args =
        [
            P, record.ExchangeId, record.From.Id + "\n" + record.IdempotencyKey, redis.Cipher.Seal(record),
            record.SubmittedAt.ToDateTimeOffset().ToUnixTimeMilliseconds(), CaseKey(record.From.Id,
                record.Case.CaseNumber), HoldKey(record) ?? "",
            .. events.Select(e => (RedisValue)redis.Cipher.Seal(e)),
        ];
        var result = (RedisResult[])(await redis.Call(db => db.ScriptEvaluateAsync(RedisScripts.Submit, values: args), cancellationToken))!;
        if ((int)result[0] == 0)
        {
            return new SubmitOutcome(redis.Cipher.Open(ExchangeRecord.Parser, (byte[])result[1]!), true, [], (long)result[2]);
        }

        return new SubmitOutcome(record, false, Sequenced(events, result, 2), (long)result[1]);
    }

    private static List<WatchEvent> Sequenced(IReadOnlyList<WatchEvent> events, RedisResult[] result, int first)
    {
        var committed = new List<WatchEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var stored = events[i].Clone();
            stored.Sequence = (ulong)(long)result[first + i];
            committed.Add(stored);
        }

        return committed;
    }

    public Task<Committed> UpdateAsync(string exchangeId, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken) =>
        ApplyAsync(exchangeId, null, change, cancellationToken)!;

    public Task<Committed?> TryEscalateAsync(string exchangeId, EscalationLevel level, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken) =>
        ApplyAsync(exchangeId, level, change, cancellationToken);

    /// <summary>Read, decide, write if nobody wrote in between (the script checks the version); otherwise read again.</summary>
    private async Task<Committed?> ApplyAsync(string exchangeId, EscalationLevel? level, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var fields = await redis.Call(db => db.HashGetAsync(P + "ex:" + exchangeId, ["rec", "ver"]), cancellationToken);
            if (fields[0].IsNull)
            {
                throw Refusal.NotFound($"Exchange '{exchangeId}' does not exist.");
            }

            var current = redis.Cipher.Open(ExchangeRecord.Parser, (byte[])fields[0]!);
            var result = change(current);
            if (result is null && level is null)
            {
                return new Committed(current, []);
            }

            var updated = result?.Updated;
            var events = result?.Events ?? [];
            RedisValue[] args =
            [
                P, exchangeId, fields[1], updated is null ? RedisValue.EmptyString : (RedisValue)redis.Cipher.Seal(updated),
                updated is not null && ExchangeStates.IsOwedToRecipient(updated) ? "1" : "0", updated is not null
                    && ExchangeStates.NeedsTimer(updated) ? "1" : "0",
                CaseKey(current.From.Id,
                    current.Case.CaseNumber), level is { } l ? ((int)l).ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                .. events.Select(e => (RedisValue)redis.Cipher.Seal(e)),
            ];
            var outcome = (RedisResult[])(await redis.Call(db => db.ScriptEvaluateAsync(RedisScripts.Update, values: args),
                cancellationToken))!;
            switch ((int)outcome[0])
            {
                case 1:
                    return new Committed(updated ?? current, Sequenced(events, outcome, 1));
                case 2:
                    return null;
            }
        }

        throw new StoreUnavailableException($"Exchange '{exchangeId}' kept changing under {MaxRetries} attempts to update it; retry.");
    }

    public async Task<ExchangeRecord?> GetAsync(string exchangeId, CancellationToken cancellationToken)
    {
        var blob = await redis.Call(db => db.HashGetAsync(P + "ex:" + exchangeId, "rec"), cancellationToken);
        return blob.IsNull ? null : redis.Cipher.Open(ExchangeRecord.Parser, (byte[])blob!);
    }

    private async Task<IReadOnlyList<ExchangeRecord>> RecordsAsync(IEnumerable<RedisValue> ids, CancellationToken cancellationToken)
    {
        var reads = ids.Select(id => Db.HashGetAsync(P + "ex:" + (string)id!, "rec")).ToList();
        var blobs = await redis.Call(_ => Task.WhenAll(reads), cancellationToken);
        return [.. blobs.Where(b => !b.IsNull).Select(b => redis.Cipher.Open(ExchangeRecord.Parser, (byte[])b!))];
    }

    public async Task<IReadOnlyList<ExchangeRecord>> GetCaseAsync(string submitter, string caseNumber,
        CancellationToken cancellationToken) =>
        await RecordsAsync(await redis.Call(db => db.SortedSetRangeByRankAsync(P + "case:" + CaseKey(submitter, caseNumber)),
            cancellationToken), cancellationToken);

    public async Task<ExchangeRecord?> FindHoldAsync(string submitter, string caseNumber, string bankId, string accountNumber,
        CancellationToken cancellationToken)
    {
        var id = await redis.Call(db => db.StringGetAsync(P + "hold:" + string.Join('\n', submitter, caseNumber, bankId, redis.Cipher.BlindIndex(accountNumber))),
            cancellationToken);
        return id.IsNull ? null : await GetAsync(id!, cancellationToken);
    }

    public async Task<IReadOnlyList<ExchangeRecord>> ListOpenAsync(CancellationToken cancellationToken) =>
        await RecordsAsync(await redis.Call(db => db.SetMembersAsync(P + "open"), cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<ExchangeRecord>> ListSubmittedAsync(string? recipient, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var ids = await redis.Call(db => db.SortedSetRangeByScoreAsync(P + "submitted", from.ToUnixTimeMilliseconds(),
            to.ToUnixTimeMilliseconds(), Exclude.Stop), cancellationToken);
        var records = await RecordsAsync(ids, cancellationToken);
        return recipient is null ? records : [.. records.Where(r => r.To.Id == recipient)];
    }

    public async Task<IReadOnlyList<PendingDelivery>> ListUnacknowledgedAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.Call(db => db.SortedSetRangeByRankWithScoresAsync(P + "unacked"), cancellationToken);
        var records = await RecordsAsync(entries.Select(e => e.Element), cancellationToken);
        var order = entries.ToDictionary(e => (string)e.Element!, e => (long)e.Score, StringComparer.Ordinal);
        return [.. records.Where(ExchangeStates.IsOwedToRecipient).Select(r => new PendingDelivery(r.ExchangeId, r.To.Id, r.Priority,
            order[r.ExchangeId], r.DeliveryAttempts))];
    }

    public async Task<IReadOnlyList<WatchEvent>> ReadEventsAsync(WatchTarget target, ulong afterSequence, int max,
        CancellationToken cancellationToken)
    {
        var key = target.ExchangeId is not null ? P + "ev:x:" + target.ExchangeId : P + "ev:c:" + CaseKey(target.Submitter!,
            target.CaseNumber!);
        var members = await redis.Call(db => db.SortedSetRangeByScoreAsync(key, afterSequence, double.PositiveInfinity, Exclude.Start,
            take: max), cancellationToken);
        var list = new List<WatchEvent>(members.Length);
        foreach (var member in members)
        {
            var bytes = (byte[])member!;
            var bar = Array.IndexOf(bytes, (byte)'|');
            var e = redis.Cipher.Open(WatchEvent.Parser, bytes.AsSpan(bar + 1));
            e.Sequence = ulong.Parse(System.Text.Encoding.ASCII.GetString(bytes, 0, bar),
                System.Globalization.CultureInfo.InvariantCulture);
            list.Add(e);
        }

        return list;
    }
}
