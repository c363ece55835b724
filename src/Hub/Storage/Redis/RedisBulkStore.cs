using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Bulk orders on Redis, shared by the replicas: a hash per order (owner, header, counts), a hash of its items and a hash of its
/// results by item number, the owner's idempotency keys and the set of the owner's unfinished uploads. Each chunk is one script,
/// so a chunk is stored whole or not at all and a result is recorded once whichever replica takes it. A sorted set of the unanswered
/// item numbers names the overdue ones in one read.
/// </summary>
internal sealed class RedisBulkStore(RedisConnection redis) : IBulkStore
{
    private const string OpenScript = """
        local P, id, owner = ARGV[1], ARGV[2], ARGV[3]
        local idem = P .. 'bidem:' .. owner .. '\n' .. ARGV[4]
        local earlier = redis.call('GET', idem)
        if earlier then return {0, earlier} end
        if redis.call('SCARD', P .. 'binc:' .. owner) >= tonumber(ARGV[7]) then return {2, ''} end
        redis.call('HSET', P .. 'bo:' .. id, 'owner', owner, 'hdr', ARGV[5], 'total', ARGV[6], 'recv', 0, 'ans', 0, 'done', 0, 'nc', 0,
          'cl', 0, 'ref', 0)
        redis.call('SET', idem, id)
        redis.call('SADD', P .. 'binc:' .. owner, id)
        return {1, id}
        """;

    private const string AppendScript = """
        local P, id = ARGV[1], ARGV[2]
        local h = P .. 'bo:' .. id
        local recv = tonumber(redis.call('HGET', h, 'recv') or '-1')
        if recv < 0 then return {-1, 0, 0} end
        local stored = recv
        for at = 3, #ARGV, 2 do
          local no = tonumber(ARGV[at])
          if no > stored then
            if no ~= recv + 1 then return {-2, recv, no} end
            redis.call('HSET', P .. 'bi:' .. id, no, ARGV[at + 1])
            redis.call('ZADD', P .. 'bu:' .. id, no, no)
            recv = no
          end
        end
        redis.call('HSET', h, 'recv', recv)
        if recv == tonumber(redis.call('HGET', h, 'total')) then
          redis.call('SREM', P .. 'binc:' .. redis.call('HGET', h, 'owner'), id)
        end
        return {recv, 0, 0}
        """;

    private const string RecordScript = """
        local P, id = ARGV[1], ARGV[2]
        local h = P .. 'bo:' .. id
        if redis.call('EXISTS', h) == 0 then return -1 end
        local names = {'done', 'nc', 'cl', 'ref'}
        local recorded = 0
        for at = 3, #ARGV, 3 do
          if redis.call('HSETNX', P .. 'br:' .. id, ARGV[at], ARGV[at + 2]) == 1 then
            redis.call('ZREM', P .. 'bu:' .. id, ARGV[at])
            recorded = recorded + 1
            redis.call('HINCRBY', h, 'ans', 1)
            redis.call('HINCRBY', h, names[math.min(tonumber(ARGV[at + 1]), 4)], 1)
          end
        end
        return recorded
        """;

    private static readonly RedisValue[] StateFields = ["owner", "hdr", "recv", "ans", "done", "nc", "cl", "ref"];

    private string P => redis.Prefix;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public async Task<(BulkOrderState Order, bool Duplicate)> OpenAsync(string orderId, string owner, BulkOrderHeader header, int maxIncomplete,
        CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.Call(db => db.ScriptEvaluateAsync(OpenScript, values:
            [P, orderId, owner, header.IdempotencyKey, redis.Cipher.Seal(header), Number(header.Order.TotalItems), Number(maxIncomplete)]),
            cancellationToken))!;
        if ((int)result[0] == 2)
        {
            throw Refusal.ResourceExhausted($"header: '{owner}' already has {maxIncomplete} bulk orders whose upload is unfinished; "
                + "finish one (Send again with its idempotency key) before opening another.");
        }

        var order = await GetAsync((string)result[1]!, cancellationToken)
            ?? throw new StoreUnavailableException("The bulk order vanished from Redis while it was being opened; retry.");
        return (order, (int)result[0] == 0);
    }

    public async Task<BulkOrderState?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        var f = await redis.Call(db => db.HashGetAsync(P + "bo:" + orderId, StateFields), cancellationToken);
        if (f[0].IsNull)
        {
            return null;
        }

        var header = redis.Cipher.Open(BulkOrderHeader.Parser, (byte[])f[1]!);
        return new BulkOrderState(orderId, (string)f[0]!, header, (uint)(long)f[2], new BulkOutcomeCounts
        {
            Total = header.Order.TotalItems,
            Answered = (uint)(long)f[3],
            Done = (uint)(long)f[4],
            NotOurCustomer = (uint)(long)f[5],
            AlreadyClosed = (uint)(long)f[6],
            Refused = (uint)(long)f[7],
        });
    }

    public async Task<uint> AppendAsync(string orderId, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken)
    {
        var args = new List<RedisValue>(2 + (items.Count * 2)) { P, orderId };
        foreach (var item in items)
        {
            args.Add(Number(item.ItemNo));
            args.Add(redis.Cipher.Seal(item));
        }

        var result = (RedisResult[])(await redis.Call(db => db.ScriptEvaluateAsync(AppendScript, values: [.. args]), cancellationToken))!;
        switch ((long)result[0])
        {
            case -1:
                throw Refusal.NotFound($"order_id: '{orderId}' is not a bulk order.");
            case -2:
                BulkOrderRules.RequireNext(new BulkItem { ItemNo = (uint)(long)result[2] }, (uint)(long)result[1]);
                break;
        }

        return (uint)(long)result[0];
    }

    public async Task<IReadOnlyList<BulkItem>> ReadItemsAsync(string orderId, uint afterItem, int max, CancellationToken cancellationToken)
    {
        var values = await redis.Call(db => db.HashGetAsync(P + "bi:" + orderId, Numbers(afterItem, max)), cancellationToken);
        return values.TakeWhile(v => !v.IsNull).Select(v => redis.Cipher.Open(BulkItem.Parser, (byte[])v!)).ToList();
    }

    private static RedisValue[] Numbers(uint after, int max) =>
        Enumerable.Range(1, max).Select(i => (RedisValue)Number(after + i)).ToArray();

    public async Task<BulkRecorded> RecordAsync(string orderId, IReadOnlyList<BulkItemResult> results, CancellationToken cancellationToken)
    {
        var args = new List<RedisValue>(2 + (results.Count * 3)) { P, orderId };
        foreach (var result in results)
        {
            args.AddRange([Number(result.ItemNo), Number((int)result.Outcome), redis.Cipher.Seal(result)]);
        }

        var recorded = (int)await redis.Call(db => db.ScriptEvaluateAsync(RecordScript, values: [.. args]), cancellationToken);
        if (recorded < 0)
        {
            throw Refusal.NotFound($"order_id: '{orderId}' is not a bulk order.");
        }

        var order = await GetAsync(orderId, cancellationToken) ?? throw Refusal.NotFound($"order_id: '{orderId}' is not a bulk order.");
        return new BulkRecorded(recorded, results.Count - recorded, order.Counts);
    }

    public async Task<IReadOnlyList<(BulkItem Item, BulkItemResult? Result)>> ReadResultsAsync(string orderId, uint afterItem, int max,
        CancellationToken cancellationToken)
    {
        var numbers = Numbers(afterItem, max);
        var items = redis.Database.HashGetAsync(P + "bi:" + orderId, numbers);
        var results = redis.Database.HashGetAsync(P + "br:" + orderId, numbers);
        await redis.Call(_ => Task.WhenAll(items, results), cancellationToken);
        var list = new List<(BulkItem, BulkItemResult?)>();
        for (var i = 0; i < max && !items.Result[i].IsNull; i++)
        {
            list.Add((redis.Cipher.Open(BulkItem.Parser, (byte[])items.Result[i]!),
                results.Result[i].IsNull ? null : redis.Cipher.Open(BulkItemResult.Parser, (byte[])results.Result[i]!)));
        }

        return list;
    }

    public async Task<IReadOnlyList<BulkItem>> UnansweredAsync(string orderId, int max, CancellationToken cancellationToken)
    {
        // The unanswered item numbers are a sorted set (added with the item, removed with its first result): the first ones are one read.
        var numbers = await redis.Call(db => db.SortedSetRangeByRankAsync(P + "bu:" + orderId, 0, max - 1), cancellationToken);
        if (numbers.Length == 0)
        {
            return [];
        }

        var items = await redis.Call(db => db.HashGetAsync(P + "bi:" + orderId, numbers), cancellationToken);
        return items.Where(v => !v.IsNull).Select(v => redis.Cipher.Open(BulkItem.Parser, (byte[])v!)).ToList();
    }
}
