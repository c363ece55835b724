using System.Collections.Concurrent;

namespace AntiFraud.Exchange.Hub.Services;

/// <summary>Fresh checkpoints per partner: a token bucket of <see cref="Burst"/> refilled at <see cref="PerSecond"/> a second.</summary>
internal sealed class FreshCheckpointLimit(TimeProvider time)
{
    public const int PerSecond = 5;
    public const int Burst = 20;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public bool TryTake(string partner)
    {
        var bucket = _buckets.GetOrAdd(partner, _ => new Bucket { Tokens = Burst, At = time.GetTimestamp() });
        lock (bucket)
        {
            var now = time.GetTimestamp();
            bucket.Tokens = Math.Min(Burst, bucket.Tokens + (time.GetElapsedTime(bucket.At, now).TotalSeconds * PerSecond));
            bucket.At = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long At { get; set; }
    }
}
