using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Risk lists on Redis, shared by the replicas: each entry a hash (record, output, sealed, owner, version, removed), a
/// sorted set per kind scored by each entry's latest version, a sorted set of expiries, and one version counter. A
/// publish batch or an expiry is one script, so every replica sees a change at once and versions never repeat.
/// </summary>
internal sealed class RedisListStore(RedisConnection redis) : IListStore
{
    private const string PublishScript = """
        local P = ARGV[1]
        local idem = P .. 'lpub:' .. ARGV[2] .. '\n' .. ARGV[3]
        local earlier = redis.call('GET', idem)
        if earlier then return {0, earlier} end
        local at = 6
        local nrevoke = tonumber(ARGV[5])
        for i = 1, nrevoke do
          local h = P .. 'le:' .. ARGV[at]
          if redis.call('HGET', h, 'owner') ~= ARGV[2] then return {2, ARGV[at]} end
          at = at + 1
        end
        at = 6
        local version = tonumber(redis.call('GET', P .. 'seq:lists') or '0')
        local revoked = 0
        for i = 1, nrevoke do
          local id = ARGV[at]
          local h = P .. 'le:' .. id
          if redis.call('HGET', h, 'removed') == '0' then
            version = redis.call('INCR', P .. 'seq:lists')
            redis.call('HSET', h, 'removed', '1', 'ver', version, 'revoked_ms', ARGV[4])
            redis.call('ZADD', P .. 'lk:' .. redis.call('HGET', h, 'kind'), version, id)
            redis.call('ZREM', P .. 'lexp', id)
            redis.call('ZADD', P .. 'lremoved', ARGV[4], id)
            revoked = revoked + 1
          end
          at = at + 1
        end
        local nadd = tonumber(ARGV[at])
        at = at + 1
        local added = {}
        for i = 1, nadd do
          local id = ARGV[at]
          version = redis.call('INCR', P .. 'seq:lists')
          redis.call('HSET', P .. 'le:' .. id, 'kind', ARGV[at + 1], 'owner', ARGV[2], 'ver', version, 'removed', '0',
            'out', ARGV[at + 3], 'sealed', ARGV[at + 4], 'rec', ARGV[at + 5])
          redis.call('ZADD', P .. 'lk:' .. ARGV[at + 1], version, id)
          redis.call('ZADD', P .. 'lexp', ARGV[at + 2], id)
          table.insert(added, id)
          at = at + 6
        end
        local reply = version .. '|' .. revoked .. '|' .. table.concat(added, ',')
        redis.call('SET', idem, reply)
        return {1, reply}
        """;

    private const string ExpireScript = """
        local P = ARGV[1]
        local due = redis.call('ZRANGEBYSCORE', P .. 'lexp', '-inf', ARGV[2], 'LIMIT', 0, 1000)
        for _, id in ipairs(due) do
          local h = P .. 'le:' .. id
          local version = redis.call('INCR', P .. 'seq:lists')
          redis.call('HSET', h, 'removed', '1', 'ver', version)
          redis.call('ZADD', P .. 'lk:' .. redis.call('HGET', h, 'kind'), version, id)
          redis.call('ZADD', P .. 'lremoved', redis.call('ZSCORE', P .. 'lexp', id), id)
          redis.call('ZREM', P .. 'lexp', id)
        end
        return #due
        """;

    private string P => redis.Prefix;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public async Task<ListPublished> PublishAsync(string owner, string idempotencyKey, IReadOnlyList<StoredListEntry> add,
        IReadOnlyList<string> revoke, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var args = new List<RedisValue> { P, owner, idempotencyKey, Number(now.ToUnixTimeMilliseconds()), Number(revoke.Count) };
        args.AddRange(revoke.Select(r => (RedisValue)r));
        args.Add(Number(add.Count));
        foreach (var a in add)
        {
            args.AddRange([a.Entry.EntryId, Number((int)a.Entry.Kind), Number(a.Entry.ExpiresAt.ToDateTimeOffset().ToUnixTimeMilliseconds()),
                a.Output, a.Sealed, redis.Cipher.Seal(a.Entry)]);
        }

        var result = (RedisResult[])(await redis.Call(db => db.ScriptEvaluateAsync(PublishScript, values: [.. args]), cancellationToken))!;
        if ((int)result[0] == 2)
        {
            throw Refusal.PermissionDenied($"revoke: '{(string)result[1]!}' is not an entry '{owner}' published.");
        }

        var parts = ((string)result[1]!).Split('|');
        return new ListPublished(ulong.Parse(parts[0], CultureInfo.InvariantCulture), parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries),
            int.Parse(parts[1], CultureInfo.InvariantCulture), (int)result[0] == 0);
    }

    public async Task<(IReadOnlyList<ListChange> Changes, ulong Version)> ChangesAsync(ListKind kind, ulong afterVersion, int max,
        CancellationToken cancellationToken)
    {
        var current = await redis.Call(db => db.StringGetAsync(P + "seq:lists"), cancellationToken);
        var version = current.IsNull ? 0UL : (ulong)(long)current;
        var ids = await redis.Call(db => db.SortedSetRangeByScoreAsync(P + "lk:" + Number((int)kind), afterVersion, version, Exclude.Start,
            take: max), cancellationToken);
        var reads = ids.Select(id => redis.Database.HashGetAsync(P + "le:" + (string)id!, ["out", "sealed", "removed", "ver"])).ToList();
        var rows = await redis.Call(_ => Task.WhenAll(reads), cancellationToken);
        var list = new List<ListChange>(rows.Length);
        foreach (var row in rows.Where(r => !r[0].IsNull))
        {
            var removed = (string?)row[2] == "1";
            if (afterVersion == 0 && removed)
            {
                continue;
            }

            list.Add(new ListChange((byte[])row[0]!, (byte[])row[1]!, removed, (ulong)(long)row[3]));
        }

        return (list, ids.Length == max && list.Count > 0 ? list[^1].Version : version);
    }

    public async Task<ListEntry?> GetAsync(string entryId, CancellationToken cancellationToken)
    {
        var fields = await redis.Call(db => db.HashGetAsync(P + "le:" + entryId, ["rec", "revoked_ms"]), cancellationToken);
        if (fields[0].IsNull)
        {
            return null;
        }

        var entry = redis.Cipher.Open(ListEntry.Parser, (byte[])fields[0]!);
        if (!fields[1].IsNull)
        {
            entry.RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]));
        }

        return entry;
    }

    public async Task<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        (int)await redis.Call(db => db.ScriptEvaluateAsync(ExpireScript, values: [P, Number(now.ToUnixTimeMilliseconds())]), cancellationToken);
}
