namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>The store's data keys and their master key: a rotation re-wraps them under a new master key, online, in one write.</summary>
public interface IStoreKeyRing
{
    StoreCipher Cipher { get; }

    /// <summary>Re-wraps every data key under <paramref name="master"/> and writes them in one go; returns how many.</summary>
    Task<int> RewrapAsync(byte[] master, CancellationToken cancellationToken);
}

internal sealed class SqliteKeyRing(SqliteExchangeStore store) : IStoreKeyRing
{
    public StoreCipher Cipher => store.Cipher;

    public Task<int> RewrapAsync(byte[] master, CancellationToken cancellationToken) =>
        store.Writer.ExecuteAsync(_ =>
        {
            var keys = StoreKeyring.WrapAll(store.Cipher, master);
            store.SaveDataKeys(keys);
            store.Cipher.MasterFingerprint = StoreKeyring.Fingerprint(master);
            return keys.Count;
        }, cancellationToken);
}

internal sealed class RedisKeyRing(Redis.RedisConnection redis) : IStoreKeyRing
{
    public StoreCipher Cipher => redis.Cipher;

    public async Task<int> RewrapAsync(byte[] master, CancellationToken cancellationToken)
    {
        var keys = StoreKeyring.WrapAll(redis.Cipher, master);
        await redis.Call(async db =>
        {
            await db.HashSetAsync(redis.Prefix + "datakeys", [.. keys.Select(Redis.RedisKeys.DataKeyEntry)]);
            return true;
        }, cancellationToken);
        redis.Cipher.MasterFingerprint = StoreKeyring.Fingerprint(master);
        return keys.Count;
    }
}
