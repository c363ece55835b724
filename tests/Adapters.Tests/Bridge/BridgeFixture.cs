using System.Text;
using AntiFraud.Exchange.Adapters.Bridge;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using R = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Result;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>A real hub process, and helpers for a police client and a legacy bank that only touches files.</summary>
public sealed class BridgeFixture : IAsyncLifetime
{
    public HubProcess Hub { get; private set; } = null!;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "afx-bridge-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        Hub = await HubProcess.StartAsync($"--Hub:Store:Path={Directory}/hub.db");
    }

    public Task DisposeAsync()
    {
        Hub.Dispose();
        return Task.CompletedTask;
    }

    public GrpcChannel Channel(string partner) => GrpcChannel.ForAddress(Hub.Address, DevPki.ChannelOptions(partner));

    public string[] BridgeSettings(string partner, string folder, string? hub = null) =>
    [
        $"--Bridge:PartnerId={partner}", $"--Bridge:Hub={hub ?? Hub.Address}", "--Bridge:MaxBackoff=00:00:01", $"--Bridge:Folder={folder}",
        $"--Bridge:Certificate={DevPki.PartnerCertPath(partner)}", $"--Bridge:Key={DevPki.PartnerKeyPath(partner)}",
        $"--Bridge:Ca={DevPki.RootCaPath}", "--Bridge:PollInterval=00:00:00.200",
    ];

    public IHost StartBridge(string partner, string folder, string? hub = null, params string[] extra)
    {
        var builder = BridgeHost.CreateBuilder([.. BridgeSettings(partner, folder, hub), .. extra]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var host = BridgeHost.Build(builder, Console.Error) ?? throw new InvalidOperationException("bridge settings refused");
        host.Start();
        return host;
    }

    /// <summary>A police freeze of an account at <paramref name="bank"/>: the sample police case-management JSON, read as the police system sends it.</summary>
    public static SubmitRequest Freeze(string bank, string key)
    {
        var json = File.ReadAllBytes(Path.Combine(Samples.Folder, "json", "police-freeze-submit.json"));
        var submit = new Json.CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor).Read(json).Single();
        submit.IdempotencyKey = key;
        submit.Recipient.Id = bank;
        submit.Request.Freeze.Account.BankId = bank;
        submit.Case.FollowTheMoney = null;
        return submit;
    }

    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int seconds = 30)
        where T : class
    {
        // Bounded by count (ten tries a second when the machine is idle), not by the clock: a busy machine makes tries slower, not fewer.
        var attempts = seconds * 10;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"gave up after {attempts} tries waiting for {what}");
    }

    public static async Task<ExchangeRecord> WaitForState(ExchangeClient police, string exchangeId, ExchangeState state) =>
        await Eventually(async () =>
        {
            var record = await police.GetAsync(new GetExchangeRequest { ExchangeId = exchangeId });
            return record.State == state ? record : null;
        }, $"{exchangeId} to be {state}");
}

/// <summary>
/// The legacy bank's side: it reads notice files and writes result files by the published column
/// layout, byte positions and GB18030, nothing else.
/// </summary>
internal static class LegacyBank
{
    static LegacyBank() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static Encoding Gb18030 => Encoding.GetEncoding("GB18030");

    public static string ExchangeIdOf(byte[] noticeFile)
    {
        var line2 = noticeFile.AsSpan(noticeFile.AsSpan().IndexOf((byte)'\n') + 1);
        var column = FixedWidthLayout.Notice.ExchangeId;
        return Encoding.ASCII.GetString(line2.Slice(column.Offset, column.Length)).TrimEnd();
    }

    /// <summary>A results file answering one freeze: "executed", with the held amount in fen as given.</summary>
    public static byte[] ResultFile(string exchangeId, string amountFen)
    {
        static byte[] Record(RecordLayout layout, params (Column Column, string Value)[] values)
        {
            var record = Enumerable.Repeat((byte)' ', layout.Length).ToArray();
            record[0] = (byte)layout.Type;
            foreach (var (column, value) in values)
            {
                Gb18030.GetBytes(value).CopyTo(record, column.Offset);
            }

            return [.. record, (byte)'\r', (byte)'\n'];
        }

        return
        [
            .. Record(FixedWidthLayout.Header.Layout, (FixedWidthLayout.Header.LayoutVersion, "AFX1"), (FixedWidthLayout.Header.FileKind, "R"),
                (FixedWidthLayout.Header.SenderId, "bank-beta"), (FixedWidthLayout.Header.CreatedDate, "20261122"), (FixedWidthLayout.Header.CreatedTime, "093500")),
            .. Record(R.Layout, (R.Kind, "FZ"), (R.ExchangeId, exchangeId), (R.Status, "00"), (R.Currency, "CNY"), (R.AmountFen, amountFen),
                (R.ExecutedDate, "20261122"), (R.ExecutedTime, "093412"), (R.OnwardCount, "000"), (R.Reason, "已冻结")),
            .. Record(FixedWidthLayout.Trailer.Layout, (FixedWidthLayout.Trailer.RecordCount, "000000001"), (FixedWidthLayout.Trailer.TotalFen, long.TryParse(amountFen, out var fen) ? fen.ToString("D18", System.Globalization.CultureInfo.InvariantCulture) : "000000000004980000")),
        ];
    }

    /// <summary>Drops a file into answers/ the way the bridge asks: write elsewhere, then rename.</summary>
    public static void Drop(string folder, string name, byte[] content)
    {
        var temporary = Path.Combine(folder, "answers", name + ".part");
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, Path.Combine(folder, "answers", name));
    }
}
