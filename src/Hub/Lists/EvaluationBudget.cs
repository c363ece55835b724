using System.Collections.Concurrent;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>
/// How many OPRF evaluations each partner may still ask for: a token bucket per partner refilled at
/// Hub:Lists:EvaluationsPerMinute, holding at most one minute's worth. What it bounds is enumeration: every value a
/// partner wants to test costs one evaluation.
/// </summary>
internal sealed class EvaluationBudget(HubListOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes <paramref name="count"/> evaluations; false (nothing taken) when the budget cannot cover them. Returns what is
    /// left and, when refused, how long until it would be.</summary>
    public bool TryTake(string partner, int count, out int left, out TimeSpan retryAfter)
    {
        var perMinute = Math.Max(1, options.EvaluationsPerMinute);
        var bucket = _buckets.GetOrAdd(partner, _ => new Bucket(perMinute, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(bucket.At, now);
            bucket.Tokens = Math.Min(perMinute, bucket.Tokens + (elapsed.TotalMinutes * perMinute));
            bucket.At = now;
            if (bucket.Tokens >= count)
            {
                bucket.Tokens -= count;
                left = (int)bucket.Tokens;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            left = (int)bucket.Tokens;
            retryAfter = TimeSpan.FromMinutes((count - bucket.Tokens) / perMinute);
            return false;
        }
    }

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens { get; set; } = tokens;

        public long At { get; set; } = at;
    }
}
