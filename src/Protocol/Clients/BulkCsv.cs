using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// The CSV files of bulk orders, read and written a line at a time (RFC 4180 quoting; a field may not span lines), so a 100,000-item
/// file is never held whole:
/// <code>
/// items to send     value[,note]                               (afx bulk send: one number or account per line)
/// an order          order_id,item_no,kind,value,note           (what a carrier or bank receives)
/// results           order_id,item_no,outcome,reason[,done_at]  (what it answers; outcome done | not_our_customer |
///                                                               already_closed | refused, reason required for refused)
/// results report    item_no,value,outcome,reason,done_at       (afx bulk results: what the police read back)
/// </code>
/// A malformed line is a FormatException naming the line and the column.
/// </summary>
public static class BulkCsv
{
    public const string OrderHeader = "order_id,item_no,kind,value,note";
    public const string ResultHeader = "order_id,item_no,outcome,reason,done_at";
    public const string ReportHeader = "item_no,value,outcome,reason,done_at";

    /// <summary>The rows of a CSV file after its header line (when the first field of the first line is <paramref name="firstColumn"/>), with
    /// their line numbers. Blank lines are skipped.</summary>
    public static IEnumerable<(int Line, string[] Fields)> Rows(TextReader reader, string firstColumn)
    {
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (text.Length == 0 || (number == 1 && text.TrimStart('\uFEFF').Split(',')[0].Trim() == firstColumn))
            {
                continue;
            }

            yield return (number, Split(text, number));
        }
    }

    private static string[] Split(string text, int line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
                continue;
            }

            if (text[i] != '"' || field.ToString().Trim().Length > 0)
            {
                field.Append(text[i]);
                continue;
            }

            for (i++; ; i++)
            {
                if (i >= text.Length)
                {
                    throw new FormatException($"line {line}, column {fields.Count + 1}: a quoted field is not closed (a field may not span lines)");
                }

                if (text[i] == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                        continue;
                    }

                    break;
                }

                field.Append(text[i]);
            }
        }

        return [.. fields];
    }

    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ') + "\"";

    public static string KindName(BulkOrderKind kind) => kind == BulkOrderKind.RestrictAccounts ? "restrict_account" : "suspend_number";

    public static string Value(BulkItem item) => item.TargetCase == BulkItem.TargetOneofCase.Account ? item.Account.AccountNumber : item.Number?.E164 ?? "";

    public static string OrderLine(string orderId, BulkOrderKind kind, BulkItem item) =>
        string.Join(',', orderId, item.ItemNo.ToString(CultureInfo.InvariantCulture), KindName(kind), Quote(Value(item)), Quote(item.Note));

    /// <summary>A line of items to send: the value (a number for a suspension, an account number at the recipient bank for a
    /// restriction) and an optional note.</summary>
    public static BulkItem SourceItem(string[] fields, int line, uint itemNo, BulkOrderKind kind, string recipient)
    {
        if (fields.Length is < 1 or > 2 || fields[0].Length == 0)
        {
            throw new FormatException($"line {line}: expected value[,note] (got {fields.Length} columns)");
        }

        var item = new BulkItem { ItemNo = itemNo, Note = fields.Length > 1 ? fields[1] : "" };
        if (kind == BulkOrderKind.RestrictAccounts)
        {
            item.Account = new AccountRef { BankId = recipient, AccountNumber = fields[0] };
        }
        else
        {
            item.Number = new PhoneNumber { E164 = fields[0] };
        }

        return item;
    }

    public static string OutcomeName(BulkItemOutcome outcome) => outcome switch
    {
        BulkItemOutcome.Done => "done",
        BulkItemOutcome.NotOurCustomer => "not_our_customer",
        BulkItemOutcome.AlreadyClosed => "already_closed",
        BulkItemOutcome.Refused => "refused",
        _ => "",
    };

    /// <summary>A results line: the order, the item, the outcome, the reason (required for refused) and when it was done.</summary>
    public static (string OrderId, BulkItemResult Result) ResultLine(string[] fields, int line)
    {
        if (fields.Length is < 3 or > 5)
        {
            throw new FormatException($"line {line}: expected {ResultHeader} (got {fields.Length} columns)");
        }

        if (!uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var itemNo) || itemNo == 0)
        {
            throw new FormatException($"line {line}, column 2 (item_no): '{fields[1]}' is not an item number");
        }

        var result = new BulkItemResult
        {
            ItemNo = itemNo,
            Outcome = fields[2].ToLowerInvariant() switch
            {
                "done" => BulkItemOutcome.Done,
                "not_our_customer" => BulkItemOutcome.NotOurCustomer,
                "already_closed" => BulkItemOutcome.AlreadyClosed,
                "refused" => BulkItemOutcome.Refused,
                _ => throw new FormatException(
                    $"line {line}, column 3 (outcome): '{fields[2]}' is not done, not_our_customer, already_closed or refused"),
            },
            Reason = fields.Length > 3 ? fields[3] : "",
        };
        if (result.Outcome == BulkItemOutcome.Refused && result.Reason.Length == 0)
        {
            throw new FormatException($"line {line}, column 4 (reason): required when the item is refused");
        }

        if (fields.Length > 4 && fields[4].Length > 0)
        {
            result.DoneAt = DateTimeOffset.TryParse(fields[4], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? Timestamp.FromDateTimeOffset(at)
                : throw new FormatException($"line {line}, column 5 (done_at): '{fields[4]}' is not a time (use ISO 8601)");
        }

        if (fields[0].Length == 0)
        {
            throw new FormatException($"line {line}, column 1 (order_id): is required");
        }

        return (fields[0], result);
    }

    public static string ResultText(string orderId, BulkItemResult result) => string.Join(',', orderId,
        result.ItemNo.ToString(CultureInfo.InvariantCulture), OutcomeName(result.Outcome), Quote(result.Reason), Time(result.DoneAt));

    public static string ReportLine(BulkResultRow row) => string.Join(',', row.Item.ItemNo.ToString(CultureInfo.InvariantCulture),
        Quote(Value(row.Item)), OutcomeName(row.Result?.Outcome ?? BulkItemOutcome.Unspecified), Quote(row.Result?.Reason ?? ""),
        Time(row.Result?.DoneAt));

    private static string Time(Timestamp? at) => at is null ? "" : at.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Checks every line of a results file and lists the orders it answers, in order of first appearance.</summary>
    public static List<string> OrdersIn(string path)
    {
        var orders = new List<string>();
        using var reader = File.OpenText(path);
        foreach (var (line, fields) in Rows(reader, "order_id"))
        {
            var (order, _) = ResultLine(fields, line);
            if (!orders.Contains(order))
            {
                orders.Add(order);
            }
        }

        return orders;
    }

    /// <summary>The results a file gives for one order, read a line at a time.</summary>
    public static async IAsyncEnumerable<BulkItemResult> ResultsFor(string path, string order,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = File.OpenText(path);
        foreach (var (line, fields) in Rows(reader, "order_id"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (id, result) = ResultLine(fields, line);
            if (id == order)
            {
                yield return result;
            }
        }

        await Task.CompletedTask;
    }
}
