using AntiFraud.Exchange.Hub.Storage.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AntiFraud.Exchange.Hub.Storage;

internal static class StoreRegistration
{
    /// <summary>
    /// The exchange store: the embedded SQLite database (the default), a shared Redis (several replicas),
    /// or memory (benchmarks and tests). Redis is connected, and its durability checked, at start-up.
    /// </summary>
    /// <param name="masterKey">The master key that wraps the store's data keys (see <see cref="StoreKeyring"/>).</param>
    /// <param name="previousKey">The master key before the last rotation, when <c>afx-hub keys rotate</c> kept one.</param>
    public static IServiceCollection AddHubStore(this IServiceCollection services, HubStoreOptions store, string storePath, byte[] masterKey,
        byte[]? previousKey = null)
    {
        if (store.Provider == "redis")
        {
            services.AddSingleton(sp => OpenRedis(store.Redis, sp.GetRequiredService<ILogger<RedisConnection>>(), masterKey, previousKey, store.EncryptAtRest));
        }

        services.TryAddSingleton<IExchangeStore>(sp => CreateStore(store, storePath, sp, masterKey, previousKey));
        AddBeside<IAlertStore>(services, sqlite => new SqliteAlertStore(sqlite), redis => new RedisAlertStore(redis));
        AddBeside<IListStore>(services, sqlite => new SqliteListStore(sqlite), redis => new RedisListStore(redis));
        AddBeside<IEvidenceStore>(services, sqlite => new SqliteEvidenceStore(sqlite), redis => new RedisEvidenceStore(redis));
        AddBeside<IRetentionStore>(services, sqlite => new SqliteRetentionStore(sqlite), redis => new RedisRetentionStore(redis));
        AddBeside<IBulkStore>(services, sqlite => new SqliteBulkStore(sqlite), redis => new RedisBulkStore(redis));
        AddBeside<IStoreKeyRing>(services, sqlite => new SqliteKeyRing(sqlite), redis => new RedisKeyRing(redis));
        return services;
    }

    /// <summary>A store that lives beside the exchanges: in the same SQLite file (and writer), or the same Redis.</summary>
    private static void AddBeside<T>(IServiceCollection services, Func<SqliteExchangeStore, T> sqlite, Func<RedisConnection, T> redis)
        where T : class =>
        services.TryAddSingleton(sp => sp.GetRequiredService<IExchangeStore>() switch
        {
            SqliteExchangeStore store => sqlite(store),
            RedisExchangeStore => redis(sp.GetRequiredService<RedisConnection>()),
            var other => throw new InvalidOperationException($"No {typeof(T).Name} for {other.GetType().Name}."),
        });

    private static IExchangeStore CreateStore(HubStoreOptions store, string path, IServiceProvider services, byte[] masterKey, byte[]? previousKey)
    {
        var logger = services.GetRequiredService<ILogger<SqliteExchangeStore>>();
        switch (store.Provider)
        {
            case "sqlite":
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return new SqliteExchangeStore(path, durable: true, logger, masterKey, store.EncryptAtRest, previousKey);
            case "memory":
                StoreLog.VolatileStore(services.GetRequiredService<ILoggerFactory>().CreateLogger("AntiFraud.Exchange.Hub"));
                return new SqliteExchangeStore(string.Empty, durable: false, logger, masterKey, store.EncryptAtRest, previousKey);
            case "redis":
                return new RedisExchangeStore(services.GetRequiredService<RedisConnection>());
            default:
                throw new InvalidOperationException($"Hub:Store:Provider '{store.Provider}' is unknown: use sqlite (the default), redis or memory.");
        }
    }


    /// <summary>Connects to Redis and checks it keeps what the hub acknowledges (AOF on).</summary>
    private static RedisConnection OpenRedis(HubRedisOptions options, ILogger<RedisConnection> logger, byte[] masterKey, byte[]? previousKey,
        bool encrypt)
    {
        var redis = new RedisConnection(options.Configuration, options.Prefix, TimeSpan.FromMilliseconds(options.TimeoutMilliseconds),
            logger);
        if (!redis.IsConnected)
        {
            throw new InvalidOperationException($"Hub:Store:Redis:Configuration '{options.Configuration}': Redis is not reachable.");
        }

        try
        {
            var server = redis.Server;
            string Setting(string name)
            {
                // A Redis busy loading or on a busy machine may miss one deadline; three in a row is a fault.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return server.ConfigGet(name).FirstOrDefault().Value ?? "?";
                    }
                    catch (StackExchange.Redis.RedisTimeoutException e) when (attempt < 3)
                    {
                        RedisLog.ConfigUnreadable(logger, $"{e.Message.Split(',')[0]} (attempt {attempt} of 3)");
                    }
                    catch (StackExchange.Redis.RedisTimeoutException e)
                    {
                        throw new InvalidOperationException(
                            $"Hub:Store:Redis:Configuration '{options.Configuration}': Redis did not answer CONFIG GET {name} within "
                            + $"{options.TimeoutMilliseconds} ms, three times: {e.Message.Split(',')[0]}", e);
                    }
                }
            }

            var appendOnly = Setting("appendonly");
            var fsync = Setting("appendfsync");
            RedisLog.Opened(logger, server.EndPoint.ToString() ?? "?", server.Version.ToString(), appendOnly, fsync, options.Prefix);
            if (appendOnly != "yes" && options.RequireAppendOnly)
            {
                throw new InvalidOperationException(
                    "Redis has appendonly no: acknowledged exchanges would not survive a Redis restart. Set appendonly yes (and appendfsync always), "
                    + "or Hub:Store:Redis:RequireAppendOnly=false for a throwaway environment.");
            }

            if (fsync != "always")
            {
                RedisLog.WeakFsync(logger, fsync);
            }
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or StackExchange.Redis.RedisCommandException)
        {
            RedisLog.ConfigUnreadable(logger, e.Message);
        }

        redis.Cipher = RedisKeys.Open(redis, masterKey, previousKey, encrypt);
        return redis;
    }
}
