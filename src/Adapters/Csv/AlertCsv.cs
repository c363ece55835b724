using System.Globalization;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.Csv;

/// <summary>
/// Early-warning exports of a bank's risk engine or a carrier's fraud-call platform, as CSV (RFC 4180,
/// UTF-8, a fixed header naming the layout), one alert per row. The row's alert_key is the idempotency key:
/// the same export raised twice raises nothing new. Layouts (see docs/formats.md):
///   bank-alert-csv:    suspicious outgoing transfers (amount in yuan, payee, paused Y/N);
///   carrier-alert-csv: calls or SMS from a suspect number or gateway (kind CALL | SMS), or abnormal card openings
///                      (kind CARD_OPENING with cards_opened).
/// </summary>
internal sealed class AlertCsv
{
    public const string BankName = "bank-alert-csv";
    public const string CarrierName = "carrier-alert-csv";

    private static readonly string[] Victim = ["alert_key", "victim_phone", "victim_name", "victim_id", "victim_address", "division_code"];

    public static readonly string[] BankColumns =
    [
        .. Victim, "victim_account", "amount", "currency", "payee_bank", "payee_bank_name", "payee_account", "payee_name", "channel", "paused",
        "initiated_at", "transaction_id", "suggested_tier", "note",
    ];

    public static readonly string[] CarrierColumns =
    [
        .. Victim, "kind", "suspect_number", "gateway", "international", "count", "total_seconds", "longest_seconds", "spoofed", "first_at",
        "last_at", "cards_opened", "suggested_tier", "note",
    ];

    /// <summary>Reads either layout, told apart by its header.</summary>
    public static IReadOnlyList<RaiseAlertRequest> Read(ReadOnlySpan<byte> document)
    {
        if (document.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            document = document[3..];
        }

        var header = new string[Math.Max(BankColumns.Length, CarrierColumns.Length) + 1];
        var probe = new CsvTokenizer(document, header, "alert-csv");
        if (!probe.ReadRow(header, out _, out var count))
        {
            throw new TranslationException("alert-csv", "line 1", "header", "the file is empty");
        }

        var (columns, name) = count == BankColumns.Length && header.AsSpan(0, count).SequenceEqual(BankColumns) ? (BankColumns, BankName)
            : count == CarrierColumns.Length && header.AsSpan(0, count).SequenceEqual(CarrierColumns) ? (CarrierColumns, CarrierName)
            : throw new TranslationException("alert-csv", "line 1", "header",
                $"the first line must be the header of a layout: {BankName}: {string.Join(',', BankColumns)}; or {CarrierName}: "
                + string.Join(',', CarrierColumns));
        var reader = new CsvTokenizer(document, columns, name);
        var fields = new string[columns.Length];
        reader.ReadRow(fields, out _, out _);
        var alerts = new List<RaiseAlertRequest>();
        while (reader.ReadRow(fields, out var line, out count))
        {
            if (count != columns.Length)
            {
                throw new TranslationException(name, $"line {line}", "row", $"has {count} fields; expected {columns.Length}");
            }

            var row = new Row(name, columns, fields, line);
            alerts.Add(name == BankName ? BankRow(row) : CarrierRow(row));
        }

        return alerts;
    }

    private static RaiseAlertRequest Common(Row row, AlertSignal signal)
    {
        signal.SuggestedTier = row.Tier("suggested_tier");
        signal.Note = row["note"];
        var phone = row["victim_phone"];
        return new RaiseAlertRequest
        {
            IdempotencyKey = row.Required("alert_key"),
            Victim = new PotentialVictim
            {
                Person = new Person
                {
                    Name = row["victim_name"],
                    NationalId = row["victim_id"],
                    Phone = phone.Length > 0 ? new PhoneNumber { E164 = phone } : null,
                    Address = row["victim_address"],
                },
                DivisionCode = row["division_code"],
            },
            Signal = signal,
        };
    }

    private static RaiseAlertRequest BankRow(Row row)
    {
        var request = Common(row, new AlertSignal
        {
            BankTransfer = new BankTransferSignal
            {
                Amount = new Money { Currency = row["currency"].Length > 0 ? row["currency"] : "CNY", MinorUnits = row.Amount("amount") },
                Payee = new AccountRef { BankId = row["payee_bank"], AccountNumber = row.Required("payee_account"), AccountName = row["payee_name"] },
                PayeeBankName = row["payee_bank_name"],
                Channel = row["channel"],
                Paused = row.Flag("paused"),
                InitiatedAt = row.Time("initiated_at"),
                TransactionId = row["transaction_id"],
            },
        });
        if (row["victim_account"] is { Length: > 0 } account)
        {
            request.Victim.Account = new AccountRef { AccountNumber = account };
        }

        return request;
    }

    private static RaiseAlertRequest CarrierRow(Row row)
    {
        var kind = row.Required("kind");
        var signal = new AlertSignal();
        if (kind == "CARD_OPENING")
        {
            signal.CardOpening = new CardOpeningSignal { CardsOpened = row.Count("cards_opened") };
        }
        else if (kind is "CALL" or "SMS")
        {
            var suspect = row["suspect_number"];
            signal.SuspiciousCalls = new SuspiciousCallsSignal
            {
                Kind = kind == "SMS" ? CommunicationKind.Sms : CommunicationKind.VoiceCall,
                SuspectNumber = suspect.Length > 0 ? new PhoneNumber { E164 = suspect } : null,
                Gateway = row["gateway"],
                International = row.Flag("international"),
                Count = row.Count("count"),
                TotalDuration = row.Seconds("total_seconds"),
                LongestDuration = row.Seconds("longest_seconds"),
                SpoofingSuspected = row.Flag("spoofed"),
                FirstAt = row.Time("first_at"),
                LastAt = row.Time("last_at"),
            };
        }
        else
        {
            throw row.Error("kind", $"'{kind}' is not CALL, SMS or CARD_OPENING");
        }

        return Common(row, signal);
    }

    /// <summary>One row, with errors that name the line, the field and its column.</summary>
    private readonly ref struct Row(string format, string[] columns, string[] fields, int line)
    {
        public string this[string column] => fields[Array.IndexOf(columns, column)].Trim();

        public TranslationException Error(string column, string problem) =>
            new(format, $"line {line}, field {Array.IndexOf(columns, column) + 1}", column, problem);

        public string Required(string column) => this[column] is { Length: > 0 } value ? value : throw Error(column, "is required");

        public bool Flag(string column) => this[column] switch
        {
            "" or "N" or "n" or "0" or "false" => false,
            "Y" or "y" or "1" or "true" => true,
            var other => throw Error(column, $"'{other}' is not Y or N"),
        };

        public uint Count(string column) =>
            uint.TryParse(Required(column), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw Error(column, $"'{this[column]}' is not a whole number");

        public long Amount(string column) =>
            decimal.TryParse(Required(column), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan)
                && yuan * 100 == decimal.Truncate(yuan * 100) && yuan <= 1_000_000_000_000m
                ? (long)(yuan * 100)
                : throw Error(column, $"'{this[column]}' is not an amount in yuan with at most two decimals (50000.00)");

        public Duration? Seconds(string column) =>
            this[column].Length == 0 ? null
            : uint.TryParse(this[column], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? Duration.FromTimeSpan(TimeSpan.FromSeconds(s))
            : throw Error(column, $"'{this[column]}' is not a number of seconds");

        public Timestamp? Time(string column) =>
            this[column].Length == 0 ? null
            : DateTimeOffset.TryParse(this[column], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && this[column].Contains('T', StringComparison.Ordinal)
                ? Timestamp.FromDateTimeOffset(at)
                : throw Error(column, $"'{this[column]}' is not an ISO 8601 time with a zone (2026-12-02T09:30:00+08:00)");

        public Priority Tier(string column) => this[column].ToUpperInvariant() switch
        {
            "" => Priority.Unspecified,
            "CRITICAL" => Priority.Critical,
            "HIGH" => Priority.High,
            "MEDIUM" => Priority.Medium,
            "LOW" => Priority.Low,
            var other => throw Error(column, $"'{other}' is not CRITICAL, HIGH, MEDIUM or LOW"),
        };
    }
}
