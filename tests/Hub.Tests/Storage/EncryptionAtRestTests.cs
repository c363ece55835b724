using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Alerts;
using AntiFraud.Exchange.Hub.Tests.Bulk;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>
/// Personal data at rest: distinctive values go through every flow (an exchange, an answer with onward transfers, follow-the-money,
/// an alert, a list entry, a bulk order) into a real hub process, which is then killed (the WAL stays as it is); no byte of the store,
/// its WAL or the audit files holds any of them in clear. The same run with encryption off finds them, so the scan can fail.
/// </summary>
public sealed class EncryptionAtRestTests
{
    private const string VictimName = "秦明文";
    private const string VictimId = "44030119850505987X";
    private const string VictimPhone = "+8613912345678";
    private const string HeldAccount = "6222880011223344";
    private const string OnwardAccount = "6222770055667788";
    private const string AlertPhone = "+8613712398765";
    private const string ListedAccount = "6222660099887766";
    private const string BulkNumber = "+8617055500";

    private static readonly string[] Seeded = [VictimName, VictimId, VictimPhone, HeldAccount, OnwardAccount, AlertPhone, ListedAccount, BulkNumber];

    [Fact]
    public async Task NoSeededValue_IsInTheStoreTheWalTheAuditFilesOrABackup_InClear()
    {
        var found = await SeedAndScanAsync(encrypt: true);
        Assert.Empty(found);
    }

    [Fact]
    public async Task OnRedis_NoSeededValue_IsInTheAppendOnlyFileOrADumpOfAnyKey()
    {
        using var redis = RedisServer.Start();
        var found = await SeedAndScanAsync(encrypt: true, redis.HubSettings, redis.Directory);
        Assert.True(Directory.EnumerateFiles(redis.Directory, "*.aof", SearchOption.AllDirectories).Any(), "Redis wrote no append-only file");

        // Every key's value as Redis serialises it (DUMP), not only what reached the disk.
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");
        var keys = connection.GetServer(redis.Configuration).Keys(pattern: "afx:*", pageSize: 1000).ToList();
        Assert.Contains(keys, k => k.ToString().StartsWith("afx:ex:", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            var dump = await connection.GetDatabase().KeyDumpAsync(key) ?? [];
            found.AddRange(Seeded.Where(v => dump.AsSpan().IndexOf(Encoding.UTF8.GetBytes(v)) >= 0 && !found.Contains(v)));
            Assert.DoesNotContain(HeldAccount, key.ToString());
        }

        Assert.Empty(found);
    }

    [Fact]
    public async Task WithEncryptionOff_TheSameScanFindsThem()
    {
        var found = await SeedAndScanAsync(encrypt: false);
        Assert.Contains(HeldAccount, found);
        Assert.Contains(VictimName, found);
        Assert.Contains(BulkNumber, found);
    }

    private static async Task<List<string>> SeedAndScanAsync(bool encrypt, string[]? storeSettings = null, string? alsoScan = null)
    {
        var dir = Directory.CreateTempSubdirectory("afx-at-rest-").FullName;
        try
        {
            using (var hub = await HubProcess.StartAsync([$"--Hub:Store:Path={dir}/hub.db", $"--Hub:Store:EncryptAtRest={encrypt}", .. storeSettings ?? []]))
            {
                await SeedAsync(hub.Address);
                if (storeSettings is null)
                {
                    // A backup taken while the hub serves lies in the scanned folder: it must be as sealed as the store.
                    using var backup = DotnetProcess.Start(HubProcess.HubDll, ["backup", $"{dir}/backup", $"--Hub:Store:Path={dir}/hub.db",
                        $"--Hub:Store:EncryptAtRest={encrypt}"], null, null, new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development" });
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    await backup.WaitForExitAsync(timeout.Token);
                    Assert.True(File.Exists($"{dir}/backup/hub.db"), "the backup was not written: " + string.Join('\n', backup.Log));
                }

                hub.Kill();
            }

            var found = Scan(dir, sqlite: storeSettings is null);
            if (alsoScan is not null)
            {
                found.AddRange(Scan(alsoScan, sqlite: false).Where(v => !found.Contains(v)));
            }

            return found;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task SeedAsync(string address)
    {
        using var police = GrpcChannel.ForAddress(address, DevPki.ChannelOptions("police-shenzhen"));
        using var bank = GrpcChannel.ForAddress(address, DevPki.ChannelOptions("bank-alpha"));
        using var carrier = GrpcChannel.ForAddress(address, DevPki.ChannelOptions("carrier-east"));

        var freeze = Requests.Freeze("bank-alpha", HeldAccount, 30_000_00, caseRef: Requests.Case("SZ-AT-REST-1", follow: true));
        freeze.Request.Freeze.Victim = new Person { Name = VictimName, NationalId = VictimId, Phone = new PhoneNumber { E164 = VictimPhone } };
        var submitted = await new ExchangeClient(police).SubmitAsync(freeze);
        var answered = await new InboxClient(bank).RespondAsync(new RespondRequest
        {
            ExchangeId = submitted.ExchangeId,
            Result = Requests.Executed(30_000_00, Requests.Onward("tx-at-rest-1", "bank-beta", OnwardAccount, 20_000_00)),
        });
        Assert.NotEmpty(answered.FollowUpExchangeIds);

        await new AlertsClient(carrier).RaiseAsync(AlertSignals.Calls(AlertSignals.Victim(AlertPhone, "440304001")));

        var publish = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        publish.Add.Add(new ListEntry
        {
            Kind = ListKind.Account,
            Value = "bank-beta:" + ListedAccount,
            Case = new CaseRef { CaseNumber = "SZ-AT-REST-2", LegalBasis = LegalBasis.CriminalInvestigation },
            Confidence = 0.9,
            ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
        });
        await new RiskListsClient(police).PublishAsync(publish);

        var order = await BulkTransfer.SendAsync(new BulkOrdersClient(police), BulkOrderData.Numbers("carrier-east", 50),
            after => BulkOrderData.Items(after, 50, n => new BulkItem { ItemNo = n, Number = new PhoneNumber { E164 = $"{BulkNumber}{n:D3}" } }));
        await BulkTransfer.AnswerAsync(new BulkOrdersClient(carrier), order.OrderId, BulkOrderData.Results(Enumerable.Range(1, 50).Select(n => (uint)n)));
    }

    /// <summary>The seeded values found (as UTF-8) in any file of the hub's data folder: the database, its WAL, the audit files.</summary>
    private static List<string> Scan(string dir, bool sqlite = true)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        if (sqlite)
        {
            Assert.Contains(files, f => f.EndsWith("hub.db-wal", StringComparison.Ordinal));
            Assert.Contains(files, f => f.Contains("audit", StringComparison.Ordinal));
        }

        var found = new List<string>();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var value in Seeded)
            {
                if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0 && !found.Contains(value))
                {
                    found.Add(value);
                }
            }
        }

        return found;
    }
}
