using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;
using Microsoft.Data.Sqlite;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Alerts in the embedded store's database, written through its single writer (same group commit, same fsync).</summary>
internal sealed class SqliteAlertStore(SqliteExchangeStore exchanges) : IAlertStore
{
    private SqliteWriter Writer => exchanges.Writer;

    public Task<AlertRaised> RaiseAsync(AlertRaiseCommand command, Func<AlertView?, (AlertView Alert, string SignalId)> fuse,
        CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(connection =>
        {
            var find = Writer.Command("SELECT alert_id, signal_id FROM alert_raises WHERE raiser = $r AND idempotency_key = $k", "$r", "$k");
            find.Parameters[0].Value = command.Raiser;
            find.Parameters[1].Value = command.IdempotencyKey;
            string? earlierAlert = null, earlierSignal = null;
            using (var reader = find.ExecuteReader())
            {
                if (reader.Read())
                {
                    earlierAlert = reader.GetString(0);
                    earlierSignal = reader.GetString(1);
                }
            }

            if (earlierAlert is not null)
            {
                return new AlertRaised(Read(earlierAlert) ?? throw new InvalidOperationException($"alert {earlierAlert} is missing"),
                    earlierSignal!, false, true);
            }

            AlertView? open = null;
            foreach (var key in command.FusionKeys)
            {
                var candidates = Writer.Command(
                    "SELECT k.alert_id FROM alert_keys k JOIN alerts a ON a.id = k.alert_id WHERE k.key = $k AND k.at_ms >= $w AND a.closed = 0 "
                    + "ORDER BY k.at_ms DESC LIMIT 1", "$k", "$w");
                candidates.Parameters[0].Value = key;
                candidates.Parameters[1].Value = command.WindowStart.ToUnixTimeMilliseconds();
                if (candidates.ExecuteScalar() is string id && Read(id) is { } found
                    && (open is null || found.FirstRaisedAt.ToDateTimeOffset() > open.FirstRaisedAt.ToDateTimeOffset()))
                {
                    open = found;
                }
            }

            var (alert, signalId) = fuse(open);
            Write(alert);
            foreach (var key in command.FusionKeys)
            {
                var upsert = Writer.Command(
                    "INSERT INTO alert_keys (key, alert_id, at_ms) VALUES ($k, $a, $t) ON CONFLICT(key, alert_id) DO UPDATE SET at_ms = $t",
                    "$k", "$a", "$t");
                upsert.Parameters[0].Value = key;
                upsert.Parameters[1].Value = alert.AlertId;
                upsert.Parameters[2].Value = command.Now.ToUnixTimeMilliseconds();
                upsert.ExecuteNonQuery();
            }

            var remember = Writer.Command(
                "INSERT INTO alert_raises (raiser, idempotency_key, alert_id, signal_id) VALUES ($r, $k, $a, $s)", "$r", "$k", "$a", "$s");
            remember.Parameters[0].Value = command.Raiser;
            remember.Parameters[1].Value = command.IdempotencyKey;
            remember.Parameters[2].Value = alert.AlertId;
            remember.Parameters[3].Value = signalId;
            remember.ExecuteNonQuery();
            return new AlertRaised(alert, signalId, open is not null, false);
        }, cancellationToken);

    private AlertView? Read(string alertId)
    {
        var read = Writer.Command("SELECT record FROM alerts WHERE id = $id", "$id");
        read.Parameters[0].Value = alertId;
        return read.ExecuteScalar() is byte[] blob ? exchanges.Cipher.Open(AlertView.Parser, blob) : null;
    }

    /// <summary>Inserts or replaces the alert; a new revision is pending until dispatched.</summary>
    private void Write(AlertView alert)
    {
        var write = Writer.Command("""
            INSERT INTO alerts (id, first_ms, closed, revision, dispatched, record) VALUES ($id, $f, $c, $rev, -1, $rec)
            ON CONFLICT(id) DO UPDATE SET closed = $c, revision = $rev, record = $rec
            """, "$id", "$f", "$c", "$rev", "$rec");
        var p = write.Parameters;
        p[0].Value = alert.AlertId;
        p[1].Value = alert.FirstRaisedAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
        p[2].Value = alert.State == AlertState.Closed ? 1 : 0;
        p[3].Value = (long)alert.Revision;
        p[4].Value = exchanges.Cipher.Seal(alert);
        write.ExecuteNonQuery();
    }

    public async Task<AlertView?> GetAsync(string alertId, CancellationToken cancellationToken) =>
        (await ReadManyAsync("SELECT record FROM alerts WHERE id = $a", cancellationToken, ("$a", alertId))).FirstOrDefault();

    public Task<AlertView> UpdateAsync(string alertId, Func<AlertView, AlertView?> change, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(connection =>
        {
            var current = Read(alertId) ?? throw Refusal.NotFound($"alert_id: alert '{alertId}' does not exist.");
            var updated = change(current);
            if (updated is not null)
            {
                Write(updated);
            }

            return updated ?? current;
        }, cancellationToken);

    public Task MarkDispatchedAsync(string alertId, uint revision, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(connection =>
        {
            var mark = Writer.Command("UPDATE alerts SET dispatched = $rev WHERE id = $id AND dispatched < $rev", "$id", "$rev");
            mark.Parameters[0].Value = alertId;
            mark.Parameters[1].Value = (long)revision;
            return mark.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<AlertView>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken,
        bool openOnly = false) =>
        ReadManyAsync("SELECT record FROM alerts WHERE first_ms >= $f AND first_ms < $t" + (openOnly ? " AND closed = 0" : string.Empty)
            + " ORDER BY first_ms", cancellationToken,
            ("$f", from.ToUnixTimeMilliseconds()), ("$t", to.ToUnixTimeMilliseconds()));

    public Task<IReadOnlyList<AlertView>> ListPendingAsync(CancellationToken cancellationToken) =>
        ReadManyAsync("SELECT record FROM alerts WHERE dispatched < revision ORDER BY first_ms", cancellationToken);

    private async Task<IReadOnlyList<AlertView>> ReadManyAsync(string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using SqliteConnection connection = await exchanges.OpenReaderAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            read.Parameters.AddWithValue(name, value);
        }

        var list = new List<AlertView>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(exchanges.Cipher.Open(AlertView.Parser, (byte[])reader[0]));
        }

        return list;
    }
}
