using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>Text for people, JSON for scripts.</summary>
internal static class Output
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static void Json(IMessage message) => Console.WriteLine(Formatter.Format(message));

    public static string Kind(Request? request) => request?.KindCase switch
    {
        Request.KindOneofCase.StopPayment => "stop-payment",
        Request.KindOneofCase.Freeze => "freeze",
        Request.KindOneofCase.FreezeRelease => "release",
        Request.KindOneofCase.FundReturn => "fund return",
        Request.KindOneofCase.AccountQuery => "account query",
        Request.KindOneofCase.CallTrace => "call trace",
        Request.KindOneofCase.NumberSuspension => "suspension",
        Request.KindOneofCase.WarnVictim => "warning",
        Request.KindOneofCase.BulkOrder => request.BulkOrder.Kind == BulkOrderKind.RestrictAccounts ? "bulk restriction" : "bulk suspension",
        _ => "?",
    };

    /// <summary>"2,400/2,500 answered: 2,100 done, 200 not our customer, 80 already closed, 20 refused".</summary>
    public static string Counts(BulkOutcomeCounts c) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{c.Answered:N0}/{c.Total:N0} answered: {c.Done:N0} done, {c.NotOurCustomer:N0} not our customer, {c.AlreadyClosed:N0} already closed, {c.Refused:N0} refused");

    /// <summary>The counts, and once the deadline has passed the overdue items by number and value.</summary>
    public static string Progress(BulkProgress p) => Counts(p.Counts) + (p.Overdue == 0 ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"; OVERDUE {p.Overdue:N0}: {string.Join(", ", p.OverdueItems.Select(i => $"#{i.ItemNo} {BulkCsv.Value(i)}"))}{(p.Overdue > p.OverdueItems.Count ? ", ..." : "")}"));

    public static string State(ExchangeState state) => state.ToString().ToUpperInvariant();

    /// <summary>"in 1h 59m" or "4m 10s late".</summary>
    public static string Countdown(Timestamp? deadline, DateTimeOffset now)
    {
        if (deadline is null)
        {
            return "-";
        }

        var left = deadline.ToDateTimeOffset() - now;
        var span = left.Duration();
        var text = span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes:D2}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds:D2}s" : $"{span.Seconds}s";
        return left >= TimeSpan.Zero ? "in " + text : text + " late";
    }

    /// <summary>"CNY 49,800.00": minor units shown with two decimals, as for CNY.</summary>
    public static string Money(Money? money) =>
        money is null ? "-" : $"{money.Currency} {(money.MinorUnits / 100m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture)}";
}
