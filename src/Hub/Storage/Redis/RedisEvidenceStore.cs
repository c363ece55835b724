using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Committed bodies in one hash per log (<c>ab:&lt;origin&gt;</c>, field: the entry index; <c>abx:&lt;exchange&gt;</c> lists an
/// exchange's) and disclosures in the hash
/// <c>disclosures</c> with a sorted set by time (<c>disclosures:at</c>); every value sealed.
/// </summary>
internal sealed class RedisEvidenceStore(RedisConnection redis) : IEvidenceStore
{
    private string P => redis.Prefix;

    public Task SaveBodiesAsync(string origin, IReadOnlyList<CommittedBody> bodies, CancellationToken cancellationToken) =>
        redis.Call(async db =>
        {
            var batch = db.CreateBatch();
            var writes = new List<Task>
            {
                batch.HashSetAsync(P + "ab:" + origin, [.. bodies.Select(b => new HashEntry(b.Index.ToString(CultureInfo.InvariantCulture),
                    redis.Cipher.Seal(Evidence(b))))]),
            };
            // Which bodies belong to an exchange, so the retention purge can delete them with its personal data.
            foreach (var group in bodies.Where(b => b.ExchangeId is not null).GroupBy(b => b.ExchangeId!))
            {
                writes.Add(batch.SetAddAsync(P + "abx:" + group.Key, [.. group.Select(b => (RedisValue)(origin + "\n"
                    + b.Index.ToString(CultureInfo.InvariantCulture)))]));
            }

            batch.Execute();
            await Task.WhenAll(writes);
            return true;
        }, cancellationToken);

    public async Task<CommittedBody?> GetBodyAsync(string origin, long index, CancellationToken cancellationToken)
    {
        var value = await redis.Call(db => db.HashGetAsync(P + "ab:" + origin, index.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var opened = redis.Cipher.Open(CommitmentOpening.Parser, (byte[])value!);
        return new CommittedBody(index, opened.Entry?.ExchangeId is { Length: > 0 } id ? id : null, opened.Salt.ToByteArray(), opened.BodyType,
            opened.Body.ToByteArray());
    }

    public async Task<IReadOnlyList<long>> BodiesOfAsync(string origin, string exchangeId, CancellationToken cancellationToken)
    {
        var members = await redis.Call(db => db.SetMembersAsync(P + "abx:" + exchangeId), cancellationToken);
        return [.. members.Select(m => (string)m!).Where(m => m.StartsWith(origin + "\n", StringComparison.Ordinal))
            .Select(m => long.Parse(m[(origin.Length + 1)..], CultureInfo.InvariantCulture)).Order()];
    }

    public async Task<Disclosure?> GetDisclosureAsync(string disclosureId, CancellationToken cancellationToken)
    {
        var value = await redis.Call(db => db.HashGetAsync(P + "disclosures", disclosureId), cancellationToken);
        return value.IsNullOrEmpty ? null : redis.Cipher.Open(Disclosure.Parser, (byte[])value!);
    }

    public Task PutDisclosureAsync(Disclosure disclosure, CancellationToken cancellationToken) =>
        redis.Call(async db =>
        {
            var transaction = db.CreateTransaction();
            _ = transaction.HashSetAsync(P + "disclosures", disclosure.DisclosureId, redis.Cipher.Seal(disclosure));
            _ = transaction.SortedSetAddAsync(P + "disclosures:at", disclosure.DisclosureId,
                disclosure.RequestedAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
            return await transaction.ExecuteAsync();
        }, cancellationToken);

    public async Task<IReadOnlyList<Disclosure>> ListDisclosuresAsync(int max, CancellationToken cancellationToken)
    {
        var ids = await redis.Call(db => db.SortedSetRangeByRankAsync(P + "disclosures:at", 0, max - 1, Order.Descending), cancellationToken);
        if (ids.Length == 0)
        {
            return [];
        }

        var values = await redis.Call(db => db.HashGetAsync(P + "disclosures", ids), cancellationToken);
        return [.. values.Where(v => !v.IsNullOrEmpty).Select(v => redis.Cipher.Open(Disclosure.Parser, (byte[])v!))];
    }

    private static CommitmentOpening Evidence(CommittedBody body)
    {
        var sealedBody = SqliteEvidenceStore.Seal(body);
        sealedBody.Entry = new AuditEntry { ExchangeId = body.ExchangeId ?? string.Empty };
        return sealedBody;
    }
}
