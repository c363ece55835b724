using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Bounds the request bytes the hub holds unread-but-received (a message whose prefix arrived but whose
/// body is still coming), per connection and in all: a partner that opens many streams and sends half
/// of a large message on each cannot make the hub buffer them all. A read that would go over either
/// budget ends that call with RESOURCE_EXHAUSTED; the bytes of every call are given back when it ends.
/// </summary>
internal sealed class RequestBodyBudget(long perConnection, long total)
{
    private readonly object _connectionKey = new();
    private long _held;

    /// <summary>Bytes held across the hub now (for operators and tests).</summary>
    public long Held => Interlocked.Read(ref _held);

    public long PerConnection { get; } = perConnection;

    public long Total { get; } = total;

    /// <summary>Middleware: every request body is read through a reader that draws on the budget.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var feature = context.Features.Get<IRequestBodyPipeFeature>();
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (feature is null || items is null)
        {
            await next(context);
            return;
        }

        if (!items.TryGetValue(_connectionKey, out var value) || value is not ConnectionShare share)
        {
            share = new ConnectionShare();
            items[_connectionKey] = share;
        }

        var reader = new BudgetedReader(feature.Reader, this, share);
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(reader));
        try
        {
            await next(context);
        }
        finally
        {
            reader.ReleaseAll();
        }
    }

    private bool TryTake(ConnectionShare share, long bytes)
    {
        if (Interlocked.Add(ref share.Held, bytes) > PerConnection)
        {
            Interlocked.Add(ref share.Held, -bytes);
            return false;
        }

        if (Interlocked.Add(ref _held, bytes) > Total)
        {
            Interlocked.Add(ref _held, -bytes);
            Interlocked.Add(ref share.Held, -bytes);
            return false;
        }

        return true;
    }

    private void Give(ConnectionShare share, long bytes)
    {
        Interlocked.Add(ref share.Held, -bytes);
        Interlocked.Add(ref _held, -bytes);
    }

    private sealed class ConnectionShare
    {
        public long Held;
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }

    /// <summary>Counts what the application has been handed and not yet consumed.</summary>
    private sealed class BudgetedReader(PipeReader inner, RequestBodyBudget budget, ConnectionShare share) : PipeReader
    {
        private long _held;
        private ReadOnlySequence<byte> _last;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            Account(result.Buffer);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            Account(result.Buffer);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            var released = _last.Slice(_last.Start, consumed).Length;
            if (released > 0)
            {
                budget.Give(share, released);
                _held -= released;
            }

            _last = default;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null)
        {
            ReleaseAll();
            inner.Complete(exception);
        }

        public void ReleaseAll()
        {
            if (_held > 0)
            {
                budget.Give(share, _held);
                _held = 0;
            }
        }

        private void Account(ReadOnlySequence<byte> buffer)
        {
            _last = buffer;
            var more = buffer.Length - _held;
            if (more <= 0)
            {
                return;
            }

            if (!budget.TryTake(share, more))
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"The hub holds at most {budget.PerConnection / (1024 * 1024)} MiB of partly received requests per connection "
                    + $"({budget.Total / (1024 * 1024)} MiB in all); send each message whole, or fewer at once."));
            }

            _held += more;
        }
    }
}
