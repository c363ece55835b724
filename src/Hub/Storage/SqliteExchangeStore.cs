using AntiFraud.Exchange.Contract.V1;
using Microsoft.Data.Sqlite;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// The embedded store: SQLite in WAL mode. Writes go through one <see cref="SqliteWriter"/> (group
/// commit, synchronous=FULL: committed means on disk); reads use pooled connections that WAL lets run
/// beside the writer. Records are stored whole as protobuf, with the columns the queries need beside them.
/// </summary>
internal sealed class SqliteExchangeStore : IExchangeStore, IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS exchanges (
            id TEXT PRIMARY KEY,
            submitter TEXT NOT NULL,
            recipient TEXT NOT NULL,
            case_number TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            priority INTEGER NOT NULL,
            state INTEGER NOT NULL,
            queue_order INTEGER NOT NULL,
            submitted_ms INTEGER NOT NULL,
            hold_bank TEXT,
            hold_account TEXT,
            record BLOB NOT NULL,
            UNIQUE (submitter, idempotency_key));
        CREATE INDEX IF NOT EXISTS ix_exchanges_case ON exchanges (submitter, case_number, queue_order);
        CREATE INDEX IF NOT EXISTS ix_exchanges_state ON exchanges (state, recipient);
        CREATE INDEX IF NOT EXISTS ix_exchanges_submitted ON exchanges (submitted_ms);
        CREATE INDEX IF NOT EXISTS ix_exchanges_hold ON exchanges (submitter, case_number, hold_bank, hold_account);
        CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            exchange_id TEXT NOT NULL,
            submitter TEXT NOT NULL,
            case_number TEXT NOT NULL,
            body BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_events_exchange ON events (exchange_id, seq);
        CREATE INDEX IF NOT EXISTS ix_events_case ON events (submitter, case_number, seq);
        CREATE TABLE IF NOT EXISTS escalations (
            exchange_id TEXT NOT NULL,
            level INTEGER NOT NULL,
            PRIMARY KEY (exchange_id, level));
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS alerts (
            id TEXT PRIMARY KEY,
            first_ms INTEGER NOT NULL,
            closed INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            dispatched INTEGER NOT NULL,
            record BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_alerts_first ON alerts (first_ms);
        CREATE INDEX IF NOT EXISTS ix_alerts_pending ON alerts (dispatched, revision);
        CREATE TABLE IF NOT EXISTS alert_keys (
            key TEXT NOT NULL,
            alert_id TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            PRIMARY KEY (key, alert_id));
        CREATE INDEX IF NOT EXISTS ix_alert_keys_at ON alert_keys (key, at_ms);
        CREATE TABLE IF NOT EXISTS list_entries (
            id TEXT PRIMARY KEY,
            kind INTEGER NOT NULL,
            owner TEXT NOT NULL,
            version INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            output BLOB NOT NULL,
            sealed BLOB NOT NULL,
            record BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_list_entries_kind ON list_entries (kind, version);
        CREATE INDEX IF NOT EXISTS ix_list_entries_expiry ON list_entries (removed, expires_ms);
        CREATE TABLE IF NOT EXISTS list_publishes (
            owner TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            version INTEGER NOT NULL,
            added TEXT NOT NULL,
            revoked INTEGER NOT NULL,
            PRIMARY KEY (owner, idempotency_key));
        CREATE TABLE IF NOT EXISTS alert_raises (
            raiser TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            alert_id TEXT NOT NULL,
            signal_id TEXT NOT NULL,
            PRIMARY KEY (raiser, idempotency_key));
        CREATE TABLE IF NOT EXISTS data_keys (
            id INTEGER PRIMARY KEY,
            master TEXT NOT NULL,
            wrapped BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS bulk_orders (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            recipient TEXT NOT NULL,
            total INTEGER NOT NULL,
            received INTEGER NOT NULL,
            answered INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            not_customer INTEGER NOT NULL DEFAULT 0,
            closed INTEGER NOT NULL DEFAULT 0,
            refused INTEGER NOT NULL DEFAULT 0,
            header BLOB NOT NULL,
            UNIQUE (owner, idempotency_key));
        CREATE TABLE IF NOT EXISTS bulk_items (
            order_id TEXT NOT NULL,
            item_no INTEGER NOT NULL,
            item BLOB NOT NULL,
            outcome INTEGER NOT NULL DEFAULT 0,
            result BLOB,
            PRIMARY KEY (order_id, item_no)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_bulk_items_open ON bulk_items (order_id, outcome, item_no);
        CREATE TABLE IF NOT EXISTS legal_holds (
            owner TEXT NOT NULL,
            case_number TEXT NOT NULL,
            record BLOB NOT NULL,
            PRIMARY KEY (owner, case_number));
        CREATE TABLE IF NOT EXISTS audit_bodies (
            origin TEXT NOT NULL,
            idx INTEGER NOT NULL,
            exchange_id TEXT,
            record BLOB NOT NULL,
            PRIMARY KEY (origin, idx)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_audit_bodies_exchange ON audit_bodies (exchange_id);
        CREATE TABLE IF NOT EXISTS disclosures (
            id TEXT PRIMARY KEY,
            at_ms INTEGER NOT NULL,
            record BLOB NOT NULL);
        """;

    /// <summary>Columns added after the first release: added to an older database at start.</summary>
    private static readonly (string Table, string Column, string Definition, string Index)[] AddedColumns =
    [
        ("exchanges", "purged", "INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX IF NOT EXISTS ix_exchanges_purge ON exchanges (purged, submitted_ms, id)"),
        ("alerts", "purged", "INTEGER NOT NULL DEFAULT 0", "CREATE INDEX IF NOT EXISTS ix_alerts_purge ON alerts (purged, first_ms, id)"),
        ("list_entries", "purged", "INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX IF NOT EXISTS ix_list_entries_purge ON list_entries (removed, purged, id)"),
    ];

    private readonly string _readConnectionString;
    private readonly SqliteConnection _writeConnection;
    private readonly SqliteWriter _writer;
    private readonly string? _volatileFile;

    /// <param name="dataSource">The database file. Not durable: a throwaway file in memory (tmpfs) with fsync off.</param>
    /// <param name="masterKey">Wraps the data keys kept in the table data_keys (a new store makes its first one).</param>
    /// <param name="previousKey">The master key before the last rotation: data keys still wrapped under it are re-wrapped at start.</param>
    public SqliteExchangeStore(string dataSource, bool durable, ILogger<SqliteExchangeStore> logger, byte[] masterKey, bool encrypt = true,
        byte[]? previousKey = null)
    {
        var inMemory = !durable;
        if (inMemory)
        {
            // Same engine and code path, minus the disk: a WAL database on tmpfs with synchronous=OFF.
            var folder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
            dataSource = Path.Combine(folder, "afx-volatile-" + Guid.NewGuid().ToString("N") + ".db");
            _volatileFile = dataSource;
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = dataSource,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        _readConnectionString = builder.ToString();
        _writeConnection = new SqliteConnection(_readConnectionString);
        _writeConnection.Open();
        Pragma(_writeConnection,
            inMemory ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Pragma(_writeConnection, "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;");
        Pragma(_writeConnection, Schema);
        foreach (var (table, column, definition, index) in AddedColumns)
        {
            if (Scalar<long>(_writeConnection, $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'") == 0)
            {
                Pragma(_writeConnection, $"ALTER TABLE {table} ADD COLUMN {column} {definition}");
            }

            Pragma(_writeConnection, index);
        }

        Cipher = StoreKeyring.Open(DataKeys(), masterKey, k =>
        {
            SaveDataKeysNow([k]);
            return DataKeys();
        }, encrypt, previousKey);
        if (Cipher.RotatedFrom is not null)
        {
            SaveDataKeysNow(StoreKeyring.WrapAll(Cipher, masterKey));
        }
        var journal = Scalar<string>(_writeConnection, "PRAGMA journal_mode;");
        var sync = Scalar<long>(_writeConnection, "PRAGMA synchronous;") switch { 0 => "OFF", 1 => "NORMAL", 2 => "FULL", _ => "EXTRA" };
        StoreLog.Opened(logger, inMemory ? ":memory:" : dataSource,
            Scalar<long>(_writeConnection, "SELECT count(*) FROM exchanges"),
            Scalar<long>(_writeConnection, "SELECT count(*) FROM events"), journal, sync);
        _writer = new SqliteWriter(_writeConnection, logger);
        _writer.Committed += () =>
        {
            foreach (var (id, record) in _pending)
            {
                if (ExchangeStates.IsOpen(record.State))
                {
                    _cache[id] = record;
                }
                else
                {
                    _cache.TryRemove(id, out _);
                }
            }

            _pending.Clear();
        };
        _writer.RolledBack += () =>
        {
            _staged.Clear();
            _pending.Clear();
        };
        _writer.Succeeded += () =>
        {
            foreach (var (id, record) in _staged)
            {
                _pending[id] = record;
            }

            _staged.Clear();
        };
        _writer.WriteFailed += _staged.Clear;
    }

    // Committed records of open exchanges (expired included: they still take a late answer), so reads and
    // transitions need no SELECT and no parse; answered holds are read from the database when their timer fires.
    // Written only on the writer thread after a commit; a batch sees its earlier writes through _pending,
    // and a write its own through _staged (dropped with its savepoint when it fails).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ExchangeRecord> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExchangeRecord> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExchangeRecord> _staged = new(StringComparer.Ordinal);

    public Task<SubmitOutcome> SubmitAsync(ExchangeRecord record, IReadOnlyList<WatchEvent> events, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(connection =>
        {
            var find = _writer.Command("SELECT record, queue_order FROM exchanges WHERE submitter = $s AND idempotency_key = $k", "$s",
                "$k");
            find.Parameters[0].Value = record.From.Id;
            find.Parameters[1].Value = record.IdempotencyKey;
            using (var reader = find.ExecuteReader())
            {
                if (reader.Read())
                {
                    return new SubmitOutcome(Cipher.Open(ExchangeRecord.Parser, (byte[])reader[0]), true, [], reader.GetInt64(1));
                }
            }

            var order = NextCounter("queue_order");
            var hold = ExchangeStates.HoldKey(record);
            var insert = _writer.Command("""
                INSERT INTO exchanges (id, submitter, recipient, case_number, idempotency_key, priority, state, queue_order, submitted_ms, hold_bank, hold_account, record)
                VALUES ($id, $s, $r, $c, $k, $p, $st, $q, $t, $hb, $ha, $rec)
                """, "$id", "$s", "$r", "$c", "$k", "$p", "$st", "$q", "$t", "$hb", "$ha", "$rec");
            var p = insert.Parameters;
            p[0].Value = record.ExchangeId;
            p[1].Value = record.From.Id;
            p[2].Value = record.To.Id;
            p[3].Value = record.Case.CaseNumber;
            p[4].Value = record.IdempotencyKey;
            p[5].Value = (int)record.Priority;
            p[6].Value = (int)record.State;
            p[7].Value = order;
            p[8].Value = record.SubmittedAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
            p[9].Value = (object?)hold?.Bank ?? DBNull.Value;
            // The account is personal: a keyed hash finds the hold without keeping the number in clear.
            p[10].Value = hold is null ? DBNull.Value : Cipher.BlindIndex(hold.Value.Account);
            p[11].Value = Cipher.Seal(record);
            insert.ExecuteNonQuery();
            var appended = AppendEvents(record, events);
            _staged[record.ExchangeId] = record;
            return new SubmitOutcome(record, false, appended, order);
        }, cancellationToken);

    public ValueTask<string?> UnwritableReasonAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_writer.LastFailure is { } failure ? "the embedded store's last commit failed: " + failure : null);

    public Task<Committed> UpdateAsync(string exchangeId, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(connection => Apply(connection, exchangeId, change), cancellationToken);

    public Task<Committed?> TryEscalateAsync(string exchangeId, EscalationLevel level, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken) =>
        _writer.ExecuteAsync<Committed?>(connection =>
        {
            var insert = _writer.Command("INSERT OR IGNORE INTO escalations (exchange_id, level) VALUES ($id, $l)", "$id", "$l");
            insert.Parameters[0].Value = exchangeId;
            insert.Parameters[1].Value = (int)level;
            return insert.ExecuteNonQuery() == 0 ? null : Apply(connection, exchangeId, change);
        }, cancellationToken);

    private Committed Apply(SqliteConnection connection, string exchangeId, Func<ExchangeRecord, ExchangeChange?> change)
    {
        if (!_staged.TryGetValue(exchangeId, out var current) && !_pending.TryGetValue(exchangeId, out current)
            && !_cache.TryGetValue(exchangeId, out current))
        {
            var read = _writer.Command("SELECT record FROM exchanges WHERE id = $id", "$id");
            read.Parameters[0].Value = exchangeId;
            var blob = read.ExecuteScalar() as byte[]
                ?? throw Refusal.NotFound($"Exchange '{exchangeId}' does not exist.");
            current = Cipher.Open(ExchangeRecord.Parser, blob);
        }

        // The change may refuse by throwing; it does so before anything below is written.
        var result = change(current);
        if (result is null)
        {
            return new Committed(current, []);
        }

        var updated = result.Updated;
        // The priority changes when an alert's tier rises (its instruction is revised in place).
        var write = _writer.Command("UPDATE exchanges SET state = $st, record = $rec, priority = $p WHERE id = $id", "$st", "$rec", "$id",
            "$p");
        write.Parameters[0].Value = (int)updated.State;
        write.Parameters[1].Value = Cipher.Seal(updated);
        write.Parameters[2].Value = exchangeId;
        write.Parameters[3].Value = (int)updated.Priority;
        write.ExecuteNonQuery();
        var appended = AppendEvents(updated, result.Events);
        _staged[exchangeId] = updated;
        return new Committed(updated, appended);
    }

    private List<WatchEvent> AppendEvents(ExchangeRecord record, IReadOnlyList<WatchEvent> events)
    {
        var committed = new List<WatchEvent>(events.Count);
        foreach (var e in events)
        {
            // The body is stored without its sequence number; the row id is the sequence.
            var insert = _writer.Command("INSERT INTO events (exchange_id, submitter, case_number, body) VALUES ($id, $s, $c, $b) RETURNING seq", "$id", "$s", "$c", "$b");
            insert.Parameters[0].Value = record.ExchangeId;
            insert.Parameters[1].Value = record.From.Id;
            insert.Parameters[2].Value = record.Case.CaseNumber;
            insert.Parameters[3].Value = Cipher.Seal(e);
            var stored = e.Clone();
            stored.Sequence = (ulong)(long)insert.ExecuteScalar()!;
            committed.Add(stored);
        }

        return committed;
    }

    /// <summary>The committed record. Returned instances are shared: never mutate one, clone it.</summary>
    public async Task<ExchangeRecord?> GetAsync(string exchangeId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(exchangeId, out var cached))
        {
            return cached;
        }

        await using var connection = await OpenReadAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT record FROM exchanges WHERE id = $id";
        read.Parameters.AddWithValue("$id", exchangeId);
        return await read.ExecuteScalarAsync(cancellationToken) is byte[] blob ? Cipher.Open(ExchangeRecord.Parser, blob) : null;
    }

    public Task<IReadOnlyList<ExchangeRecord>> GetCaseAsync(string submitter, string caseNumber, CancellationToken cancellationToken) =>
        ReadRecordsAsync("SELECT record FROM exchanges WHERE submitter = $s AND case_number = $c ORDER BY queue_order",
            cancellationToken, ("$s", submitter), ("$c", caseNumber));

    public async Task<ExchangeRecord?> FindHoldAsync(string submitter, string caseNumber, string bankId, string accountNumber,
        CancellationToken cancellationToken) =>
        (await ReadRecordsAsync("SELECT record FROM exchanges WHERE submitter = $s AND case_number = $c AND hold_bank = $b AND hold_account = $a ORDER BY queue_order LIMIT 1",
            cancellationToken, ("$s", submitter), ("$c", caseNumber), ("$b", bankId), ("$a", Cipher.BlindIndex(accountNumber)))).FirstOrDefault();

    public Task<IReadOnlyList<ExchangeRecord>> ListOpenAsync(CancellationToken cancellationToken) =>
        ReadRecordsAsync(NeedsTimerSql, cancellationToken);

    /// <summary><see cref="ExchangeStates.NeedsTimer"/> in SQL: hold_bank is set exactly when the request holds an account.</summary>
    private static readonly string NeedsTimerSql = "SELECT record FROM exchanges WHERE state IN ("
        + ExchangeStates.SqlList(ExchangeStates.IsRunning) + $") OR (state = {(int)ExchangeState.Answered} AND hold_bank IS NOT NULL)";

    /// <summary>Candidates for <see cref="ExchangeStates.IsOwedToRecipient"/>; the acknowledgement is checked on the record.</summary>
    private static readonly string DeliverableSql = "SELECT id, recipient, priority, queue_order, record FROM exchanges WHERE state IN ("
        + ExchangeStates.SqlList(ExchangeStates.IsDeliverable) + ") ORDER BY queue_order";

    public Task<IReadOnlyList<ExchangeRecord>> ListSubmittedAsync(string? recipient, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken) =>
        recipient is null
            ? ReadRecordsAsync("SELECT record FROM exchanges WHERE submitted_ms >= $f AND submitted_ms < $t", cancellationToken,
                ("$f", from.ToUnixTimeMilliseconds()), ("$t", to.ToUnixTimeMilliseconds()))
            : ReadRecordsAsync("SELECT record FROM exchanges WHERE recipient = $r AND submitted_ms >= $f AND submitted_ms < $t",
                cancellationToken,
                ("$r", recipient), ("$f", from.ToUnixTimeMilliseconds()), ("$t", to.ToUnixTimeMilliseconds()));

    public async Task<IReadOnlyList<PendingDelivery>> ListUnacknowledgedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = DeliverableSql;
        var list = new List<PendingDelivery>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = Cipher.Open(ExchangeRecord.Parser, (byte[])reader[4]);
            if (ExchangeStates.IsOwedToRecipient(record))
            {
                list.Add(new PendingDelivery(reader.GetString(0), reader.GetString(1), (Priority)reader.GetInt32(2), reader.GetInt64(3),
                    record.DeliveryAttempts));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<WatchEvent>> ReadEventsAsync(WatchTarget target, ulong afterSequence, int max,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        if (target.ExchangeId is not null)
        {
            read.CommandText = "SELECT seq, body FROM events WHERE exchange_id = $id AND seq > $after ORDER BY seq LIMIT $max";
            read.Parameters.AddWithValue("$id", target.ExchangeId);
        }
        else
        {
            read.CommandText = "SELECT seq, body FROM events WHERE submitter = $s AND case_number = $c AND seq > $after ORDER BY seq LIMIT $max";
            read.Parameters.AddWithValue("$s", target.Submitter);
            read.Parameters.AddWithValue("$c", target.CaseNumber);
        }

        read.Parameters.AddWithValue("$after", (long)afterSequence);
        read.Parameters.AddWithValue("$max", max);
        var list = new List<WatchEvent>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var e = Cipher.Open(WatchEvent.Parser, (byte[])reader[1]);
            e.Sequence = (ulong)reader.GetInt64(0);
            list.Add(e);
        }

        return list;
    }

    private async Task<IReadOnlyList<ExchangeRecord>> ReadRecordsAsync(string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            read.Parameters.AddWithValue(name, value);
        }

        var list = new List<ExchangeRecord>();
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Cipher.Open(ExchangeRecord.Parser, (byte[])reader[0]));
        }

        return list;
    }

    /// <summary>Seals every record, event, alert, list entry and bulk item before it is written, and opens it when read.</summary>
    internal StoreCipher Cipher { get; }

    private const string SaveDataKey = "INSERT OR REPLACE INTO data_keys (id, master, wrapped) VALUES ($i, $m, $w)";

    /// <summary>Writes data keys (new, or re-wrapped under a new master key) with <paramref name="save"/>.</summary>
    private static void SaveDataKeys(IReadOnlyList<WrappedDataKey> keys, SqliteCommand save)
    {
        foreach (var k in keys)
        {
            save.Parameters[0].Value = (int)k.Id;
            save.Parameters[1].Value = k.Master;
            save.Parameters[2].Value = k.Wrapped;
            save.ExecuteNonQuery();
        }
    }

    /// <summary>At start, before the writer runs: the connection's own command.</summary>
    private void SaveDataKeysNow(IReadOnlyList<WrappedDataKey> keys)
    {
        using var save = _writeConnection.CreateCommand();
        save.CommandText = SaveDataKey;
        foreach (var name in new[] { "$i", "$m", "$w" })
        {
            save.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        SaveDataKeys(keys, save);
    }

    /// <summary>Inside a write (on the writer thread).</summary>
    internal void SaveDataKeys(IReadOnlyList<WrappedDataKey> keys) => SaveDataKeys(keys, Writer.Command(SaveDataKey, "$i", "$m", "$w"));

    private List<WrappedDataKey> DataKeys()
    {
        using var read = _writeConnection.CreateCommand();
        read.CommandText = "SELECT id, master, wrapped FROM data_keys ORDER BY id";
        using var reader = read.ExecuteReader();
        var keys = new List<WrappedDataKey>();
        while (reader.Read())
        {
            keys.Add(new WrappedDataKey((ushort)reader.GetInt32(0), reader.GetString(1), (byte[])reader[2]));
        }

        return keys;
    }

    /// <summary>The single writer, shared with the alert store so both commit in the same group commits.</summary>
    internal SqliteWriter Writer => _writer;

    internal Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken) => OpenReadAsync(cancellationToken);

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    internal long NextCounter(string name)
    {
        var command = _writer.Command("INSERT INTO counters (name, value) VALUES ($n, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", "$n");
        command.Parameters[0].Value = name;
        return (long)command.ExecuteScalar()!;
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _writeConnection.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_volatileFile is not null)
        {
            foreach (var file in new[] { _volatileFile, _volatileFile + "-wal", _volatileFile + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
