using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// Legal holds and purges in the embedded store, through its single writer: each purge batch is one write, so live traffic interleaves
/// with a long purge batch by batch instead of waiting behind it. An erased record keeps its ids, states, times and amounts and is
/// sealed again; its watch events (snapshots of the record) and the audit entries' committed bodies are deleted, and so is the keyed hash of a held
/// account.
/// </summary>
internal sealed class SqliteRetentionStore(SqliteExchangeStore exchanges) : IRetentionStore
{
    private static readonly string Ended = ExchangeStates.SqlList(ExchangeStates.IsTerminal);

    private SqliteWriter Writer => exchanges.Writer;

    public Task<LegalHold?> GetLegalHoldAsync(string owner, string caseNumber, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var read = Writer.Command("SELECT record FROM legal_holds WHERE owner = $o AND case_number = $c", "$o", "$c");
            read.Parameters[0].Value = owner;
            read.Parameters[1].Value = caseNumber;
            return read.ExecuteScalar() is byte[] blob ? exchanges.Cipher.Open(LegalHold.Parser, blob) : null;
        }, cancellationToken);

    public Task SetLegalHoldAsync(string owner, string caseNumber, LegalHold? hold, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var write = hold is null
                ? Writer.Command("DELETE FROM legal_holds WHERE owner = $o AND case_number = $c", "$o", "$c")
                : Writer.Command("INSERT OR REPLACE INTO legal_holds (owner, case_number, record) VALUES ($o, $c, $r)", "$o", "$c", "$r");
            write.Parameters[0].Value = owner;
            write.Parameters[1].Value = caseNumber;
            if (hold is not null)
            {
                write.Parameters[2].Value = exchanges.Cipher.Seal(hold);
            }

            return write.ExecuteNonQuery();
        }, cancellationToken);

    public Task<PurgeBatch> PurgeExchangesAsync(DateTimeOffset endedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var cut = endedBefore.ToUnixTimeMilliseconds();
            var rows = Page($"""
                SELECT e.id, e.submitted_ms, e.record FROM exchanges e
                WHERE e.purged = 0 AND e.submitted_ms < $cut AND (e.submitted_ms > $at OR (e.submitted_ms = $at AND e.id > $id))
                  AND e.state IN ({Ended})
                  AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.owner = e.submitter AND h.case_number = e.case_number)
                ORDER BY e.submitted_ms, e.id LIMIT $n
                """, ExchangeRecord.Parser, cut, after, max);

            var erase = Writer.Command("UPDATE exchanges SET purged = 1, record = $r, hold_account = NULL WHERE id = $id", "$r", "$id");
            var events = Writer.Command("DELETE FROM events WHERE exchange_id = $id", "$id");
            var bodies = Writer.Command("DELETE FROM audit_bodies WHERE exchange_id = $id", "$id");
            var items = Writer.Command("DELETE FROM bulk_items WHERE order_id = $id", "$id");
            var header = Writer.Command("SELECT header FROM bulk_orders WHERE id = $id", "$id");
            var eraseHeader = Writer.Command("UPDATE bulk_orders SET header = $h WHERE id = $id", "$h", "$id");
            int erased = 0, values = 0;
            foreach (var (id, _, record) in rows)
            {
                if (ExchangeStates.EndedAtMs(record) >= cut)
                {
                    continue;
                }

                values += PersonalData.Erase(record);
                erase.Parameters[0].Value = exchanges.Cipher.Seal(record);
                erase.Parameters[1].Value = id;
                erase.ExecuteNonQuery();
                events.Parameters[0].Value = id;
                events.ExecuteNonQuery();
                // The committed bodies hold the same personal data: once erased, a commitment can no longer be opened.
                bodies.Parameters[0].Value = id;
                bodies.ExecuteNonQuery();
                if (record.Request?.KindCase == Request.KindOneofCase.BulkOrder)
                {
                    // A bulk order's items and results, and its header, hold the numbers and accounts themselves.
                    items.Parameters[0].Value = id;
                    items.ExecuteNonQuery();
                    header.Parameters[0].Value = id;
                    if (header.ExecuteScalar() is byte[] blob)
                    {
                        var opened = exchanges.Cipher.Open(BulkOrderHeader.Parser, blob);
                        values += PersonalData.Erase(opened);
                        eraseHeader.Parameters[0].Value = exchanges.Cipher.Seal(opened);
                        eraseHeader.Parameters[1].Value = id;
                        eraseHeader.ExecuteNonQuery();
                    }
                }
                erased++;
            }

            return new PurgeBatch(rows.Count, erased, values, Next(rows, max));
        }, cancellationToken);

    public Task<PurgeBatch> PurgeAlertsAsync(DateTimeOffset raisedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var rows = Page("""
                SELECT id, first_ms, record FROM alerts
                WHERE purged = 0 AND first_ms < $cut AND (first_ms > $at OR (first_ms = $at AND id > $id)) AND closed = 1
                ORDER BY first_ms, id LIMIT $n
                """, AlertView.Parser, raisedBefore.ToUnixTimeMilliseconds(), after, max);

            var erase = Writer.Command("UPDATE alerts SET purged = 1, record = $r WHERE id = $id", "$r", "$id");
            var keys = Writer.Command("DELETE FROM alert_keys WHERE alert_id = $id", "$id");
            var bodies = Writer.Command("DELETE FROM audit_bodies WHERE exchange_id = $id", "$id");
            var values = 0;
            foreach (var (id, _, alert) in rows)
            {
                values += PersonalData.Erase(alert);
                erase.Parameters[0].Value = exchanges.Cipher.Seal(alert);
                erase.Parameters[1].Value = id;
                erase.ExecuteNonQuery();
                keys.Parameters[0].Value = id;
                keys.ExecuteNonQuery();
                bodies.Parameters[0].Value = id;
                bodies.ExecuteNonQuery();
            }

            return new PurgeBatch(rows.Count, rows.Count, values, Next(rows, max));
        }, cancellationToken);

    public Task<PurgeBatch> PurgeListEntriesAsync(DateTimeOffset removedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var cut = removedBefore.ToUnixTimeMilliseconds();
            var find = Writer.Command("SELECT id, record FROM list_entries WHERE removed = 1 AND purged = 0 AND id > $id ORDER BY id LIMIT $n",
                "$id", "$n");
            find.Parameters[0].Value = after?.Id ?? string.Empty;
            find.Parameters[1].Value = max;
            var rows = new List<(string Id, ListEntry Entry)>();
            using (var reader = find.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetString(0), exchanges.Cipher.Open(ListEntry.Parser, (byte[])reader[1])));
                }
            }

            var erase = Writer.Command("UPDATE list_entries SET purged = 1, record = $r WHERE id = $id", "$r", "$id");
            int erased = 0, values = 0;
            foreach (var (id, entry) in rows)
            {
                if (RemovedAtMs(entry) >= cut)
                {
                    continue;
                }

                values += PersonalData.Erase(entry);
                erase.Parameters[0].Value = exchanges.Cipher.Seal(entry);
                erase.Parameters[1].Value = id;
                erase.ExecuteNonQuery();
                erased++;
            }

            return new PurgeBatch(rows.Count, erased, values, rows.Count < max ? null : new PurgeCursor(0, rows[^1].Id));
        }, cancellationToken);

    /// <summary>
    /// One page of purge candidates, oldest first: <paramref name="sql"/> selects id, time (ms) and sealed record, with $cut (before),
    /// $at and $id (the cursor) and $n (the page size).
    /// </summary>
    private List<(string Id, long At, T Value)> Page<T>(string sql, Google.Protobuf.MessageParser<T> parser, long cut, PurgeCursor? after,
        int max)
        where T : Google.Protobuf.IMessage<T>
    {
        var find = Writer.Command(sql, "$cut", "$at", "$id", "$n");
        find.Parameters[0].Value = cut;
        find.Parameters[1].Value = after?.AtMs ?? long.MinValue;
        find.Parameters[2].Value = after?.Id ?? string.Empty;
        find.Parameters[3].Value = max;
        var rows = new List<(string Id, long At, T Value)>();
        using var reader = find.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), exchanges.Cipher.Open(parser, (byte[])reader[2])));
        }

        return rows;
    }

    /// <summary>Where the next page starts; null when this one was the last.</summary>
    private static PurgeCursor? Next<T>(List<(string Id, long At, T Value)> rows, int max) =>
        rows.Count < max ? null : new PurgeCursor(rows[^1].At, rows[^1].Id);

    /// <summary>When a removed entry stopped screening: its revocation, else its expiry.</summary>
    internal static long RemovedAtMs(ListEntry entry) => (entry.RevokedAt ?? entry.ExpiresAt)?.ToDateTimeOffset().ToUnixTimeMilliseconds()
        ?? long.MaxValue;
}
