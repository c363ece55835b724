using System.Globalization;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>The store's data keys in Redis: hash <c>datakeys</c>, field id → "master key fingerprint|wrapped key (base64)", shared by every
/// replica.</summary>
internal static class RedisKeys
{
    public static HashEntry DataKeyEntry(WrappedDataKey k) =>
        new(k.Id.ToString(CultureInfo.InvariantCulture), k.Master + "|" + Convert.ToBase64String(k.Wrapped));

    public static IReadOnlyList<WrappedDataKey> ReadDataKeys(RedisConnection redis) => [.. redis.Database.HashGetAll(redis.Prefix + "datakeys").Select(e =>
    {
        var parts = ((string)e.Value!).Split('|');
        return new WrappedDataKey(ushort.Parse((string)e.Name!, CultureInfo.InvariantCulture), parts[0], Convert.FromBase64String(parts[1]));
    })];

    /// <summary>Loads the key ring at start: a new store gets its first data key (HSETNX: the first replica's wins); keys found under the
    /// previous master key are re-wrapped under the current one.</summary>
    public static StoreCipher Open(RedisConnection redis, byte[] master, byte[]? previous, bool encrypt)
    {
        var key = redis.Prefix + "datakeys";
        var cipher = StoreKeyring.Open(ReadDataKeys(redis), master, k =>
        {
            var entry = DataKeyEntry(k);
            redis.Database.HashSet(key, entry.Name, entry.Value, When.NotExists);
            return ReadDataKeys(redis);
        }, encrypt, previous);
        if (cipher.RotatedFrom is not null)
        {
            redis.Database.HashSet(key, [.. StoreKeyring.WrapAll(cipher, master).Select(DataKeyEntry)]);
        }

        return cipher;
    }
}
