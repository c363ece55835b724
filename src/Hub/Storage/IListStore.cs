using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>A list entry as stored: the entry, its PRF output and its sealed details (what partners download).</summary>
public sealed record StoredListEntry(ListEntry Entry, byte[] Output, byte[] Sealed);

/// <summary>One change of a kind's screening set since a version.</summary>
public sealed record ListChange(byte[] Output, byte[] Sealed, bool Removed, ulong Version);

/// <summary>The committed outcome of a publish batch; Duplicate when the idempotency key was used before (nothing written).</summary>
public sealed record ListPublished(ulong Version, IReadOnlyList<string> Added, int Revoked, bool Duplicate);

/// <summary>
/// Shared risk lists beside the exchanges (the same SQLite file, or the same Redis). Every add, revocation and expiry
/// takes the next list version, so a partner asks for the changes after the version it has.
/// </summary>
public interface IListStore
{
    /// <summary>Adds and revokes in one write. Revoking an entry another unit owns is refused (the store checks the owner).</summary>
    Task<ListPublished> PublishAsync(string owner, string idempotencyKey, IReadOnlyList<StoredListEntry> add, IReadOnlyList<string> revoke,
        DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The kind's set after a version (after 0: the entries in force), and the current version.</summary>
    Task<(IReadOnlyList<ListChange> Changes, ulong Version)> ChangesAsync(ListKind kind, ulong afterVersion, int max,
        CancellationToken cancellationToken);

    Task<ListEntry?> GetAsync(string entryId, CancellationToken cancellationToken);

    /// <summary>Removes entries whose expiry has passed, each with a new version; returns how many.</summary>
    Task<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
