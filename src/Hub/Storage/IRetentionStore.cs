using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>What one purge batch did: how many records it erased, and where the next batch starts.</summary>
public sealed record PurgeBatch(int Examined, int Erased, int Values, PurgeCursor? Next);

/// <summary>Where a purge pass stands (records are taken oldest first); null starts from the beginning.</summary>
public sealed record PurgeCursor(long AtMs, string Id);

/// <summary>Legal holds on cases, and the erasure of personal data the retention policy no longer allows to be kept.</summary>
public interface IRetentionStore
{
    Task<LegalHold?> GetLegalHoldAsync(string owner, string caseNumber, CancellationToken cancellationToken);

    /// <summary>Places the hold, or with null releases it.</summary>
    Task SetLegalHoldAsync(string owner, string caseNumber, LegalHold? hold, CancellationToken cancellationToken);

    /// <summary>
    /// Erases the personal data of up to <paramref name="max"/> exchanges that ended (answered, rejected, cancelled; an answered hold
    /// once it lapsed) before <paramref name="endedBefore"/>, whose case is not under a legal hold, with their events. One write.
    /// </summary>
    Task<PurgeBatch> PurgeExchangesAsync(DateTimeOffset endedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken);

    /// <summary>Erases the personal data of up to <paramref name="max"/> closed alerts first raised before
    /// <paramref name="raisedBefore"/>, and their fusion keys. One write.</summary>
    Task<PurgeBatch> PurgeAlertsAsync(DateTimeOffset raisedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken);

    /// <summary>Erases the listed value, reason and officer of up to <paramref name="max"/> risk-list entries revoked or expired before
    /// <paramref name="removedBefore"/> (their PRF output and sealed details, which open only with the value, stay for screening sync).
    /// One write.</summary>
    Task<PurgeBatch> PurgeListEntriesAsync(DateTimeOffset removedBefore, PurgeCursor? after, int max, CancellationToken cancellationToken);
}
