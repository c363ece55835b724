namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>Exponential back-off with full jitter: 200 ms doubling up to a cap; reset after a success.</summary>
internal sealed class Backoff(TimeSpan max)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);
    private TimeSpan _next = First;

    public TimeSpan Next()
    {
        var ceiling = _next;
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, _next.Ticks * 2));
        return TimeSpan.FromTicks((ceiling.Ticks / 2) + Random.Shared.NextInt64(ceiling.Ticks / 2));
    }

    public void Reset() => _next = First;
}
