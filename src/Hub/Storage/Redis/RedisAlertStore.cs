using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Alerts on Redis, shared by the replicas. Each alert is a hash (record, version, revision, dispatched
/// revision); each fusion key names the latest alert it was seen in with the time; each (raiser, key) names
/// the alert and signal it created. A Raise reads, fuses in the hub, then commits with a script that checks
/// nothing it read has changed (otherwise it reads again), so two replicas never split one victim's alert.
/// </summary>
internal sealed class RedisAlertStore(RedisConnection redis) : IAlertStore
{
    private const int MaxRetries = 100;

    private const string RaiseScript = """
        local P = ARGV[1]
        if redis.call('EXISTS', P .. 'alidem:' .. ARGV[8]) == 1 then return 0 end
        local n = tonumber(ARGV[11])
        for i = 0, n - 1 do
          local v = redis.call('GET', P .. 'alkey:' .. ARGV[12 + 2 * i])
          if (v or '') ~= ARGV[13 + 2 * i] then return 0 end
        end
        local h = P .. 'al:' .. ARGV[2]
        local ver = redis.call('HGET', h, 'ver')
        if (ver or '') ~= ARGV[3] then return 0 end
        if not ver then redis.call('HSET', h, 'disp', -1) end
        redis.call('HSET', h, 'rec', ARGV[4], 'ver', (tonumber(ver) or 0) + 1, 'rev', ARGV[7], 'closed', ARGV[6])
        redis.call('ZADD', P .. 'alerts', ARGV[5], ARGV[2])
        redis.call('SADD', P .. 'alpending', ARGV[2])
        for i = 0, n - 1 do redis.call('SET', P .. 'alkey:' .. ARGV[12 + 2 * i], ARGV[2] .. '|' .. ARGV[10]) end
        redis.call('SET', P .. 'alidem:' .. ARGV[8], ARGV[9])
        return 1
        """;

    private const string UpdateScript = """
        local h = ARGV[1] .. 'al:' .. ARGV[2]
        local ver = redis.call('HGET', h, 'ver')
        if ver ~= ARGV[3] then return 0 end
        redis.call('HSET', h, 'rec', ARGV[4], 'ver', tonumber(ver) + 1, 'rev', ARGV[5], 'closed', ARGV[6])
        if tonumber(redis.call('HGET', h, 'disp')) < tonumber(ARGV[5]) then redis.call('SADD', ARGV[1] .. 'alpending', ARGV[2]) end
        return 1
        """;

    private const string MarkScript = """
        local h = ARGV[1] .. 'al:' .. ARGV[2]
        local disp = tonumber(redis.call('HGET', h, 'disp') or '-1')
        local rev = tonumber(ARGV[3])
        if disp < rev then redis.call('HSET', h, 'disp', rev) end
        if rev >= tonumber(redis.call('HGET', h, 'rev') or '0') then redis.call('SREM', ARGV[1] .. 'alpending', ARGV[2]) end
        return 1
        """;

    private string P => redis.Prefix;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public async Task<AlertRaised> RaiseAsync(AlertRaiseCommand command, Func<AlertView?, (AlertView Alert, string SignalId)> fuse,
        CancellationToken cancellationToken)
    {
        var idem = command.Raiser + "\n" + command.IdempotencyKey;
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var earlier = await redis.Call(db => db.StringGetAsync(P + "alidem:" + idem), cancellationToken);
            if (!earlier.IsNull)
            {
                var parts = ((string)earlier!).Split('|');
                var alert = await GetAsync(parts[0], cancellationToken) ?? throw new InvalidOperationException($"alert {parts[0]} is missing");
                return new AlertRaised(alert, parts[1], false, true);
            }

            var seen = await redis.Call(db => db.StringGetAsync([.. command.FusionKeys.Select(k => (RedisKey)(P + "alkey:" + k))]),
                cancellationToken);
            AlertView? open = null;
            RedisValue openVersion = RedisValue.Null;
            foreach (var value in seen.Where(v => !v.IsNull).Select(v => ((string)v!).Split('|')).Distinct())
            {
                if (long.Parse(value[1], CultureInfo.InvariantCulture) < command.WindowStart.ToUnixTimeMilliseconds())
                {
                    continue;
                }

                var fields = await redis.Call(db => db.HashGetAsync(P + "al:" + value[0], ["rec", "ver"]), cancellationToken);
                if (fields[0].IsNull)
                {
                    continue;
                }

                var found = redis.Cipher.Open(AlertView.Parser, (byte[])fields[0]!);
                if (found.State != AlertState.Closed
                    && (open is null || found.FirstRaisedAt.ToDateTimeOffset() > open.FirstRaisedAt.ToDateTimeOffset()))
                {
                    open = found;
                    openVersion = fields[1];
                }
            }

            var (next, signalId) = fuse(open);
            List<RedisValue> args =
            [
                P, next.AlertId, open is null ? string.Empty : openVersion, redis.Cipher.Seal(next),
                Number(next.FirstRaisedAt.ToDateTimeOffset().ToUnixTimeMilliseconds()), next.State == AlertState.Closed ? "1" : "0",
                Number(next.Revision), idem, next.AlertId + "|" + signalId, Number(command.Now.ToUnixTimeMilliseconds()),
                Number(command.FusionKeys.Count),
            ];
            for (var i = 0; i < command.FusionKeys.Count; i++)
            {
                args.Add(command.FusionKeys[i]);
                args.Add(seen[i].IsNull ? string.Empty : seen[i]);
            }

            var ok = (int)(await redis.Call(db => db.ScriptEvaluateAsync(RaiseScript, values: [.. args]), cancellationToken));
            if (ok == 1)
            {
                return new AlertRaised(next, signalId, open is not null, false);
            }
        }

        throw new StoreUnavailableException($"Raise kept conflicting with other raises about the same person ({MaxRetries} attempts); retry.");
    }

    public async Task<AlertView?> GetAsync(string alertId, CancellationToken cancellationToken)
    {
        var blob = await redis.Call(db => db.HashGetAsync(P + "al:" + alertId, "rec"), cancellationToken);
        return blob.IsNull ? null : redis.Cipher.Open(AlertView.Parser, (byte[])blob!);
    }

    public async Task<AlertView> UpdateAsync(string alertId, Func<AlertView, AlertView?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var fields = await redis.Call(db => db.HashGetAsync(P + "al:" + alertId, ["rec", "ver"]), cancellationToken);
            if (fields[0].IsNull)
            {
                throw Refusal.NotFound($"alert_id: alert '{alertId}' does not exist.");
            }

            var current = redis.Cipher.Open(AlertView.Parser, (byte[])fields[0]!);
            var updated = change(current);
            if (updated is null)
            {
                return current;
            }

            RedisValue[] args = [P, alertId, fields[1], redis.Cipher.Seal(updated), Number(updated.Revision),
                updated.State == AlertState.Closed ? "1" : "0"];
            if ((int)(await redis.Call(db => db.ScriptEvaluateAsync(UpdateScript, values: args), cancellationToken)) == 1)
            {
                return updated;
            }
        }

        throw new StoreUnavailableException($"Alert '{alertId}' kept changing under {MaxRetries} attempts to update it; retry.");
    }

    public Task MarkDispatchedAsync(string alertId, uint revision, CancellationToken cancellationToken) =>
        redis.Call(db => db.ScriptEvaluateAsync(MarkScript, values: [P, alertId, Number(revision)]), cancellationToken);

    public async Task<IReadOnlyList<AlertView>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken,
        bool openOnly = false)
    {
        var alerts = await ReadAsync(await redis.Call(db => db.SortedSetRangeByScoreAsync(P + "alerts", from.ToUnixTimeMilliseconds(),
            to.ToUnixTimeMilliseconds(), Exclude.Stop), cancellationToken), cancellationToken);
        return openOnly ? [.. alerts.Where(a => a.State != AlertState.Closed)] : alerts;
    }

    public async Task<IReadOnlyList<AlertView>> ListPendingAsync(CancellationToken cancellationToken) =>
        await ReadAsync(await redis.Call(db => db.SetMembersAsync(P + "alpending"), cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<AlertView>> ReadAsync(RedisValue[] ids, CancellationToken cancellationToken)
    {
        var reads = ids.Select(id => redis.Database.HashGetAsync(P + "al:" + (string)id!, "rec")).ToList();
        var blobs = await redis.Call(_ => Task.WhenAll(reads), cancellationToken);
        return [.. blobs.Where(b => !b.IsNull).Select(b => redis.Cipher.Open(AlertView.Parser, (byte[])b!))
            .OrderBy(a => a.FirstRaisedAt.ToDateTimeOffset())];
    }
}
