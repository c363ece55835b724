using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// The one writer of the embedded store, with group commit: every write waiting when the previous
/// commit finishes goes into the next transaction, so one fsync acknowledges many writes. A write may
/// refuse (throw <see cref="Protocol.Wire.RpcException"/>) only before it changes anything; then it
/// alone fails. Any other failure rolls the whole batch back and fails every write in it, so nothing
/// that was not committed is ever acknowledged. Statements are prepared once and reused.
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

    public SqliteWriter(SqliteConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
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

            try
            {
                using var transaction = _connection.BeginTransaction();
                _transaction = transaction;
                foreach (var write in batch)
                {
                    try
                    {
                        write.Run(_connection);
                    }
                    catch (Protocol.Wire.RpcException refusal)
                    {
                        write.Fail(refusal);
                    }
                }

                transaction.Commit();
                Committed?.Invoke();
                foreach (var write in batch)
                {
                    write.Complete();
                }
            }
            catch (Exception ex)
            {
                RolledBack?.Invoke();
                StoreLog.CommitFailed(_logger, batch.Count, ex);
                foreach (var write in batch)
                {
                    write.Fail(new StoreUnavailableException("The store could not commit; nothing of this request was kept.", ex));
                }
            }
        }
    }

    /// <summary>Runs after each commit, on the writer thread, before any write of the batch completes.</summary>
    public event Action? Committed;

    /// <summary>Runs when a batch is rolled back.</summary>
    public event Action? RolledBack;

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
            _error = exception;
            if (exception is StoreUnavailableException)
            {
                Completion.TrySetException(exception);
            }
        }
    }
}

/// <summary>The store cannot take writes (disk full, I/O error, backend down): callers answer UNAVAILABLE.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

internal static partial class StoreLog
{
    [LoggerMessage(200, LogLevel.Error, "Store commit of {Count} writes failed; none was acknowledged")]
    public static partial void CommitFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(201, LogLevel.Information, "Embedded store {Path} open: {Exchanges} exchanges, {Events} events, journal {Journal}, synchronous {Synchronous}")]
    public static partial void Opened(ILogger logger, string path, long exchanges, long events, string journal, string synchronous);
}
