using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// The one writer of the embedded store, with group commit: every write waiting when the previous
/// commit finishes goes into the next transaction, so one fsync acknowledges many writes. Each write
/// runs inside its own SAVEPOINT: when it throws (a refusal, or anything else), its statements are
/// rolled back and it alone fails; the other writes of the batch commit. Only a failure of the
/// commit itself fails the whole batch, so nothing that was not committed is ever acknowledged.
/// Statements are prepared once and reused.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly SqliteConnection _connection;
    private readonly Channel<IWrite> _queue = Channel.CreateBounded<IWrite>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task _loop;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="time">Times each commit for <see cref="HubMetrics.StoreCommit"/>; the system clock when null.</param>
    public SqliteWriter(SqliteConnection connection, ILogger logger, TimeProvider? time = null)
    {
        _connection = connection;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public async Task<T> ExecuteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        var write = new Write<T>(work);
        await _queue.Writer.WriteAsync(write, cancellationToken);
        // Once queued the write will be committed or fail; the caller's token only stops the wait.
        return await write.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            var started = _time.GetTimestamp();
            try
            {
                using var transaction = _connection.BeginTransaction();
                _transaction = transaction;
                foreach (var write in batch)
                {
                    Command("SAVEPOINT w").ExecuteNonQuery();
                    try
                    {
                        write.Run(_connection);
                        Command("RELEASE w").ExecuteNonQuery();
                        Succeeded?.Invoke();
                    }
                    catch (Exception failure) when (failure is not SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR })
                    {
                        // This write alone: undo its statements, keep the batch.
                        Command("ROLLBACK TO w").ExecuteNonQuery();
                        Command("RELEASE w").ExecuteNonQuery();
                        WriteFailed?.Invoke();
                        if (failure is not Shared.Refusal)
                        {
                            StoreLog.WriteFailed(_logger, failure);
                        }

                        write.Fail(failure);
                    }
                }

                transaction.Commit();
                HubMetrics.StoreCommit.Record(_time.Since(started), new KeyValuePair<string, object?>("provider", "sqlite"));
                LastFailure = null;
                Committed?.Invoke();
                foreach (var write in batch)
                {
                    write.Complete();
                }
            }
            catch (Exception ex)
            {
                RolledBack?.Invoke();
                LastFailure = ex.Message;
                StoreLog.CommitFailed(_logger, batch.Count, ex);
                foreach (var write in batch)
                {
                    write.Fail(new StoreUnavailableException("The store could not commit; nothing of this request was kept.", ex));
                }
            }
        }
    }

    /// <summary>Why the last batch could not commit, or null after a commit that worked.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Runs after each commit, on the writer thread, before any write of the batch completes.</summary>
    public event Action? Committed;

    /// <summary>Runs when a batch is rolled back.</summary>
    public event Action? RolledBack;

    /// <summary>Runs on the writer thread after one write of a batch succeeded (its savepoint released).</summary>
    public event Action? Succeeded;

    /// <summary>Runs on the writer thread after one write failed and its savepoint was rolled back.</summary>
    public event Action? WriteFailed;

    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    /// <summary>A prepared statement on the writer connection, reused across writes (writer thread only).</summary>
    public SqliteCommand Command(string sql, params string[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            _prepared[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }
    }

    private interface IWrite
    {
        void Run(SqliteConnection connection);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class Write<T>(Func<SqliteConnection, T> work) : IWrite
    {
        private T? _result;
        private Exception? _error;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(SqliteConnection connection) => _result = work(connection);

        public void Complete()
        {
            if (_error is not null)
            {
                Completion.TrySetException(_error);
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }

        public void Fail(Exception exception)
        {
            if (exception is StoreUnavailableException)
            {
                // The batch is lost: fail at once, whatever an earlier step of this write recorded.
                Completion.TrySetException(exception);
                return;
            }

            // A failure of this write alone is reported once the batch commits.
            _error ??= exception;
        }
    }
}
