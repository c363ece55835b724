using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Risk lists in the embedded store's database, through its single writer.</summary>
internal sealed class SqliteListStore(SqliteExchangeStore exchanges) : IListStore
{
    private SqliteWriter Writer => exchanges.Writer;

    public Task<ListPublished> PublishAsync(string owner, string idempotencyKey, IReadOnlyList<StoredListEntry> add,
        IReadOnlyList<string> revoke, DateTimeOffset now, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(connection =>
        {
            var earlier = Writer.Command("SELECT version, added, revoked FROM list_publishes WHERE owner = $o AND idempotency_key = $k", "$o", "$k");
            earlier.Parameters[0].Value = owner;
            earlier.Parameters[1].Value = idempotencyKey;
            using (var reader = earlier.ExecuteReader())
            {
                if (reader.Read())
                {
                    return new ListPublished((ulong)reader.GetInt64(0), reader.GetString(1).Split(',', StringSplitOptions.RemoveEmptyEntries),
                        reader.GetInt32(2), true);
                }
            }

            long version = 0;
            var revoked = 0;
            foreach (var id in revoke)
            {
                var read = Writer.Command("SELECT owner, removed, record FROM list_entries WHERE id = $id", "$id");
                read.Parameters[0].Value = id;
                using var reader = read.ExecuteReader();
                if (!reader.Read() || reader.GetString(0) != owner)
                {
                    throw Refusal.PermissionDenied($"revoke: '{id}' is not an entry '{owner}' published.");
                }

                if (reader.GetInt64(1) != 0)
                {
                    continue;
                }

                var entry = exchanges.Cipher.Open(ListEntry.Parser, (byte[])reader[2]);
                reader.Close();
                entry.RevokedAt = Timestamp.FromDateTimeOffset(now);
                version = exchanges.NextCounter("list_version");
                Remove(id, version, entry);
                revoked++;
            }

            foreach (var stored in add)
            {
                version = exchanges.NextCounter("list_version");
                var insert = Writer.Command("""
                    INSERT INTO list_entries (id, kind, owner, version, removed, expires_ms, output, sealed, record)
                    VALUES ($id, $k, $o, $v, 0, $x, $out, $s, $r)
                    """, "$id", "$k", "$o", "$v", "$x", "$out", "$s", "$r");
                var p = insert.Parameters;
                p[0].Value = stored.Entry.EntryId;
                p[1].Value = (int)stored.Entry.Kind;
                p[2].Value = owner;
                p[3].Value = version;
                p[4].Value = stored.Entry.ExpiresAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
                p[5].Value = stored.Output;
                p[6].Value = stored.Sealed;
                p[7].Value = exchanges.Cipher.Seal(stored.Entry);
                insert.ExecuteNonQuery();
            }

            if (version == 0)
            {
                version = Current();
            }

            var added = add.Select(a => a.Entry.EntryId).ToList();
            var remember = Writer.Command(
                "INSERT INTO list_publishes (owner, idempotency_key, version, added, revoked) VALUES ($o, $k, $v, $a, $r)", "$o", "$k", "$v", "$a", "$r");
            remember.Parameters[0].Value = owner;
            remember.Parameters[1].Value = idempotencyKey;
            remember.Parameters[2].Value = version;
            remember.Parameters[3].Value = string.Join(',', added);
            remember.Parameters[4].Value = revoked;
            remember.ExecuteNonQuery();
            return new ListPublished((ulong)version, added, revoked, false);
        }, cancellationToken);

    private void Remove(string id, long version, ListEntry entry)
    {
        var update = Writer.Command("UPDATE list_entries SET removed = 1, version = $v, record = $r WHERE id = $id", "$v", "$r", "$id");
        update.Parameters[0].Value = version;
        update.Parameters[1].Value = exchanges.Cipher.Seal(entry);
        update.Parameters[2].Value = id;
        update.ExecuteNonQuery();
    }

    private long Current()
    {
        var read = Writer.Command("SELECT value FROM counters WHERE name = 'list_version'");
        return read.ExecuteScalar() is long v ? v : 0;
    }

    public async Task<(IReadOnlyList<ListChange> Changes, ulong Version)> ChangesAsync(ListKind kind, ulong afterVersion, int max,
        CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await exchanges.OpenReaderAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var current = connection.CreateCommand();
        current.CommandText = "SELECT value FROM counters WHERE name = 'list_version'";
        var version = await current.ExecuteScalarAsync(cancellationToken) is long v ? (ulong)v : 0;
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT output, sealed, removed, version FROM list_entries WHERE kind = $k AND version > $after AND version <= $v"
            + (afterVersion == 0 ? " AND removed = 0" : string.Empty) + " ORDER BY version LIMIT $max";
        read.Parameters.AddWithValue("$k", (int)kind);
        read.Parameters.AddWithValue("$after", (long)afterVersion);
        read.Parameters.AddWithValue("$v", (long)version);
        read.Parameters.AddWithValue("$max", max);
        var list = new List<ListChange>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ListChange((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2) != 0, (ulong)reader.GetInt64(3)));
        }

        // A page cut short reports the version it reached, so the partner asks again from there.
        return (list, list.Count == max ? list[^1].Version : version);
    }

    public async Task<ListEntry?> GetAsync(string entryId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await exchanges.OpenReaderAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT record FROM list_entries WHERE id = $id";
        read.Parameters.AddWithValue("$id", entryId);
        return await read.ExecuteScalarAsync(cancellationToken) is byte[] blob ? exchanges.Cipher.Open(ListEntry.Parser, blob) : null;
    }

    public Task<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(connection =>
        {
            var due = Writer.Command("SELECT id, record FROM list_entries WHERE removed = 0 AND expires_ms <= $now LIMIT 1000", "$now");
            due.Parameters[0].Value = now.ToUnixTimeMilliseconds();
            var expired = new List<(string Id, ListEntry Entry)>();
            using (var reader = due.ExecuteReader())
            {
                while (reader.Read())
                {
                    expired.Add((reader.GetString(0), exchanges.Cipher.Open(ListEntry.Parser, (byte[])reader[1])));
                }
            }

            foreach (var (id, entry) in expired)
            {
                Remove(id, exchanges.NextCounter("list_version"), entry);
            }

            return expired.Count;
        }, cancellationToken);
}
