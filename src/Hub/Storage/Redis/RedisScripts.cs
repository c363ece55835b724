namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// The Lua scripts that make each state transition atomic on the Redis server. Keys are built from the
/// prefix inside the scripts, so this backend needs a single Redis primary (with replicas for failover),
/// not Redis Cluster.
/// </summary>
internal static class RedisScripts
{
    /// <summary>Appends events (ARGV from <c>first</c> on, bodies without sequence) to the exchange's and the case's event sets; returns
    /// their sequences.</summary>
    private const string AppendEvents = """
        local function append_events(p, id, casekey, first)
          local seqs = {}
          for i = first, #ARGV do
            local seq = redis.call('INCR', p .. 'seq:events')
            local member = seq .. '|' .. ARGV[i]
            redis.call('ZADD', p .. 'ev:x:' .. id, seq, member)
            redis.call('ZADD', p .. 'ev:c:' .. casekey, seq, member)
            seqs[#seqs + 1] = seq
          end
          return seqs
        end
        """;

    /// <summary>
    /// ARGV: prefix, id, idempotency field, record, submitted ms, case key, hold key or '', events...
    /// Returns {0, existing record, its queue order} for a repeated idempotency key, else {1, queue order, sequences...}.
    /// </summary>
    public const string Submit = AppendEvents + "\n" + """
        local p, id = ARGV[1], ARGV[2]
        local existing = redis.call('HGET', p .. 'idem', ARGV[3])
        if existing then
          local old = redis.call('HMGET', p .. 'ex:' .. existing, 'rec', 'ord')
          return {0, old[1], old[2]}
        end
        local order = redis.call('INCR', p .. 'seq:queue')
        redis.call('HSET', p .. 'idem', ARGV[3], id)
        redis.call('HSET', p .. 'ex:' .. id, 'rec', ARGV[4], 'ver', 1, 'ord', order)
        redis.call('ZADD', p .. 'case:' .. ARGV[6], order, id)
        redis.call('ZADD', p .. 'unacked', order, id)
        redis.call('SADD', p .. 'open', id)
        redis.call('ZADD', p .. 'submitted', ARGV[5], id)
        if ARGV[7] ~= '' then redis.call('SET', p .. 'hold:' .. ARGV[7], id, 'NX') end
        local result = {1, order}
        for _, seq in ipairs(append_events(p, id, ARGV[6], 8)) do result[#result + 1] = seq end
        return result
        """;

    /// <summary>
    /// ARGV: prefix, id, expected version, new record, unacked (1/0), open (1/0), case key, escalation level or '', events...
    /// Returns {1, sequences...}; {0} when the record changed since it was read (retry); {2} when the escalation already fired.
    /// </summary>
    public const string Update = AppendEvents + "\n" + """
        local p, id = ARGV[1], ARGV[2]
        local key = p .. 'ex:' .. id
        if ARGV[8] ~= '' and redis.call('SISMEMBER', p .. 'esc:' .. id, ARGV[8]) == 1 then return {2} end
        if redis.call('HGET', key, 'ver') ~= ARGV[3] then return {0} end
        if ARGV[8] ~= '' then redis.call('SADD', p .. 'esc:' .. id, ARGV[8]) end
        if ARGV[4] ~= '' then
          redis.call('HSET', key, 'rec', ARGV[4], 'ver', tonumber(ARGV[3]) + 1)
          if ARGV[5] == '1' then
            redis.call('ZADD', p .. 'unacked', redis.call('HGET', key, 'ord'), id)
          else
            redis.call('ZREM', p .. 'unacked', id)
          end
          if ARGV[6] == '1' then redis.call('SADD', p .. 'open', id) else redis.call('SREM', p .. 'open', id) end
        end
        local result = {1}
        for _, seq in ipairs(append_events(p, id, ARGV[7], 9)) do result[#result + 1] = seq end
        return result
        """;

    /// <summary>
    /// Retention. ARGV: prefix, id, expected version, erased record, case key, erased bulk header or ''. Writes the erased record
    /// (marked purged), removes the exchange's events from its own and its case's event sets, deletes the committed bodies listed in
    /// <c>abx:&lt;id&gt;</c>, and for a bulk order its items and results and the header's personal data. Returns 1, or 0 when the
    /// record changed since it was read (the next pass tries again).
    /// </summary>
    public const string PurgeExchange = DeleteBodies + "\n" + """
        local p, id = ARGV[1], ARGV[2]
        local key = p .. 'ex:' .. id
        if redis.call('HGET', key, 'ver') ~= ARGV[3] then return 0 end
        redis.call('HSET', key, 'rec', ARGV[4], 'ver', tonumber(ARGV[3]) + 1, 'prg', 1)
        for _, m in ipairs(redis.call('ZRANGE', p .. 'ev:x:' .. id, 0, -1)) do redis.call('ZREM', p .. 'ev:c:' .. ARGV[5], m) end
        redis.call('DEL', p .. 'ev:x:' .. id)
        delete_bodies(p, id)
        if ARGV[6] ~= '' then
          redis.call('DEL', p .. 'bi:' .. id, p .. 'br:' .. id)
          redis.call('HSET', p .. 'bo:' .. id, 'hdr', ARGV[6])
        end
        return 1
        """;

    /// <summary>Deletes the committed bodies kept under an exchange's or an alert's id (listed in <c>abx:&lt;id&gt;</c>).</summary>
    private const string DeleteBodies = """
        local function delete_bodies(p, id)
          for _, b in ipairs(redis.call('SMEMBERS', p .. 'abx:' .. id)) do
            local sep = string.find(b, '\n', 1, true)
            redis.call('HDEL', p .. 'ab:' .. string.sub(b, 1, sep - 1), string.sub(b, sep + 1))
          end
          redis.call('DEL', p .. 'abx:' .. id)
        end
        """;

    /// <summary>Retention. ARGV: prefix, alert id, expected version, erased alert. Also deletes the alert's committed bodies. Returns 1, or 0
    /// when the alert changed meanwhile.</summary>
    public const string PurgeAlert = DeleteBodies + "\n" + """
        local h = ARGV[1] .. 'al:' .. ARGV[2]
        if redis.call('HGET', h, 'ver') ~= ARGV[3] then return 0 end
        redis.call('HSET', h, 'rec', ARGV[4], 'ver', tonumber(ARGV[3]) + 1, 'prg', 1)
        delete_bodies(ARGV[1], ARGV[2])
        return 1
        """;
}
