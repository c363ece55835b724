using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Legal holds on a shared Redis (one hash, sealed values), so every replica sees them. Purging is not built for Redis yet: a purge
/// there says so (<see cref="NotSupportedException"/>), and the retention service reports it instead of pretending to erase.
/// </summary>
internal sealed class RedisRetentionStore(RedisConnection redis) : IRetentionStore
{
    private string Holds => redis.Prefix + "legalholds";

    public async Task<LegalHold?> GetLegalHoldAsync(string owner, string caseNumber, CancellationToken cancellationToken)
    {
        var value = await redis.Call(db => db.HashGetAsync(Holds, owner + "\n" + caseNumber), cancellationToken);
        return value.IsNullOrEmpty ? null : redis.Cipher.Open(LegalHold.Parser, (byte[])value!);
    }

    public Task SetLegalHoldAsync(string owner, string caseNumber, LegalHold? hold, CancellationToken cancellationToken) =>
        hold is null
            ? redis.Call(db => db.HashDeleteAsync(Holds, owner + "\n" + caseNumber), cancellationToken)
            : redis.Call(db => db.HashSetAsync(Holds, owner + "\n" + caseNumber, redis.Cipher.Seal(hold)), cancellationToken);

    public Task<PurgeBatch> PurgeExchangesAsync(DateTimeOffset endedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken) =>
        throw NotBuilt();

    public Task<PurgeBatch> PurgeAlertsAsync(DateTimeOffset raisedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken) =>
        throw NotBuilt();

    private static NotSupportedException NotBuilt() => new(
        "The retention purge is built for the embedded store (SQLite) only; on Redis, closed exchanges and alerts are kept until an operator "
        + "removes them (docs/redis.md).");
}
