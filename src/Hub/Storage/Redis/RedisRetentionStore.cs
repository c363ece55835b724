using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Legal holds (one hash, sealed values, seen by every replica) and the retention purge on a shared Redis. Exchanges are taken
/// oldest first from <c>submitted</c>, alerts from <c>alerts</c>, removed list entries from <c>lremoved</c>; each record is erased in the hub and written back by a script that
/// checks it did not change meanwhile (two replicas purging at once erase each record once). Alert fusion keys are keyed hashes and
/// expire with the fusion window; they are not touched.
/// </summary>
internal sealed class RedisRetentionStore(RedisConnection redis) : IRetentionStore
{
    /// <summary>Members with the cursor's score are read again and skipped up to its id; this many extra cover ties.</summary>
    private const int TieSlack = 64;

    private string P => redis.Prefix;

    private string Holds => P + "legalholds";

    public async Task<LegalHold?> GetLegalHoldAsync(string owner, string caseNumber, CancellationToken cancellationToken)
    {
        var value = await redis.Call(db => db.HashGetAsync(Holds, owner + "\n" + caseNumber), cancellationToken);
        return value.IsNullOrEmpty ? null : redis.Cipher.Open(LegalHold.Parser, (byte[])value!);
    }

    public Task SetLegalHoldAsync(string owner, string caseNumber, LegalHold? hold, CancellationToken cancellationToken) =>
        hold is null
            ? redis.Call(db => db.HashDeleteAsync(Holds, owner + "\n" + caseNumber), cancellationToken)
            : redis.Call(db => db.HashSetAsync(Holds, owner + "\n" + caseNumber, redis.Cipher.Seal(hold)), cancellationToken);

    public async Task<PurgeBatch> PurgeExchangesAsync(DateTimeOffset endedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken)
    {
        var cut = endedBefore.ToUnixTimeMilliseconds();
        var (ids, next) = await CandidatesAsync(P + "submitted", cut, after, max, cancellationToken);
        int erased = 0, values = 0;
        foreach (var id in ids)
        {
            var fields = await redis.Call(db => db.HashGetAsync(P + "ex:" + id, ["rec", "ver", "prg"]), cancellationToken);
            if (fields[0].IsNullOrEmpty || !fields[2].IsNullOrEmpty)
            {
                continue;
            }

            var record = redis.Cipher.Open(ExchangeRecord.Parser, (byte[])fields[0]!);
            if (ExchangeStates.EndedAtMs(record) >= cut
                || await GetLegalHoldAsync(record.From.Id, record.Case.CaseNumber, cancellationToken) is not null)
            {
                continue;
            }

            var count = PersonalData.Erase(record);
            RedisValue header = string.Empty;
            if (record.Request?.KindCase == Request.KindOneofCase.BulkOrder
                && await redis.Call(db => db.HashGetAsync(P + "bo:" + id, "hdr"), cancellationToken) is { IsNullOrEmpty: false } stored)
            {
                var opened = redis.Cipher.Open(BulkOrderHeader.Parser, (byte[])stored!);
                count += PersonalData.Erase(opened);
                header = redis.Cipher.Seal(opened);
            }

            var done = await redis.Call(db => db.ScriptEvaluateAsync(RedisScripts.PurgeExchange, values:
                [P, id, fields[1], redis.Cipher.Seal(record), record.From.Id + "\n" + record.Case.CaseNumber, header]), cancellationToken);
            if ((int)done == 1)
            {
                erased++;
                values += count;
            }
        }

        return new PurgeBatch(ids.Count, erased, values, next);
    }

    public async Task<PurgeBatch> PurgeAlertsAsync(DateTimeOffset raisedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken)
    {
        var (ids, next) = await CandidatesAsync(P + "alerts", raisedBefore.ToUnixTimeMilliseconds(), after, max, cancellationToken);
        int erased = 0, values = 0;
        foreach (var id in ids)
        {
            var fields = await redis.Call(db => db.HashGetAsync(P + "al:" + id, ["rec", "ver", "closed", "prg"]), cancellationToken);
            if (fields[0].IsNullOrEmpty || fields[2] != "1" || !fields[3].IsNullOrEmpty)
            {
                continue;
            }

            var alert = redis.Cipher.Open(AlertView.Parser, (byte[])fields[0]!);
            var count = PersonalData.Erase(alert);
            var done = await redis.Call(db => db.ScriptEvaluateAsync(RedisScripts.PurgeAlert, values: [P, id, fields[1], redis.Cipher.Seal(alert)]),
                cancellationToken);
            if ((int)done == 1)
            {
                erased++;
                values += count;
            }
        }

        return new PurgeBatch(ids.Count, erased, values, next);
    }

    public async Task<PurgeBatch> PurgeListEntriesAsync(DateTimeOffset removedBefore, PurgeCursor? after, int max,
        CancellationToken cancellationToken)
    {
        var (ids, next) = await CandidatesAsync(P + "lremoved", removedBefore.ToUnixTimeMilliseconds(), after, max, cancellationToken);
        int erased = 0, values = 0;
        foreach (var id in ids)
        {
            var record = await redis.Call(db => db.HashGetAsync(P + "le:" + id, "rec"), cancellationToken);
            if (record.IsNullOrEmpty)
            {
                continue;
            }

            var entry = redis.Cipher.Open(ListEntry.Parser, (byte[])record!);
            values += PersonalData.Erase(entry);
            var sealedEntry = redis.Cipher.Seal(entry);
            await redis.Call(async db =>
            {
                var transaction = db.CreateTransaction();
                _ = transaction.HashSetAsync(P + "le:" + id, [new HashEntry("rec", sealedEntry), new HashEntry("prg", 1)]);
                _ = transaction.SortedSetRemoveAsync(P + "lremoved", id);
                return await transaction.ExecuteAsync();
            }, cancellationToken);
            erased++;
        }

        return new PurgeBatch(ids.Count, erased, values, next);
    }

    /// <summary>Up to <paramref name="max"/> members scored below <paramref name="before"/>, after the cursor, oldest first.</summary>
    private async Task<(List<string> Ids, PurgeCursor? Next)> CandidatesAsync(string key, long before, PurgeCursor? after, int max,
        CancellationToken cancellationToken)
    {
        var from = after?.AtMs ?? double.NegativeInfinity;
        var page = await redis.Call(db => db.SortedSetRangeByScoreWithScoresAsync(key, from, before, Exclude.Stop, Order.Ascending, 0,
            max + TieSlack), cancellationToken);
        var taken = page.Select(e => (Id: (string)e.Element!, At: (long)e.Score))
            .Where(e => after is null || e.At > after.AtMs || string.CompareOrdinal(e.Id, after.Id) > 0)
            .Take(max).ToList();
        var next = taken.Count < max ? null : new PurgeCursor(taken[^1].At, taken[^1].Id);
        return ([.. taken.Select(e => e.Id)], next);
    }
}
