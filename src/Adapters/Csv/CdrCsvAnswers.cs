using System.Buffers;
using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.Csv;

/// <summary>
/// Call-source trace results (carrier to hub) as CSV call detail records, RFC 4180, UTF-8, with a fixed
/// header. One row per leg of the call; a result without legs is one row with an empty sequence. Rows
/// of several traces may share a file. caller_id_spoofed of the whole result is true when any leg says so.
/// </summary>
internal sealed class CdrCsvAnswers : INativeTranslator<RespondRequest>
{
    public const string Name = "cdr-csv";

    public static readonly string[] Columns =
    [
        "exchange_id", "status", "sequence", "seen_at", "network", "gateway", "trunk", "country_of_entry", "presented_number",
        "original_number", "caller_id_spoofed", "imsi", "imei", "ip_address", "location_area", "reason",
    ];

    private const int ExchangeId = 0, Status = 1, Sequence = 2, SeenAt = 3, Network = 4, Gateway = 5, Trunk = 6, Country = 7,
        Presented = 8, Original = 9, Spoofed = 10, Imsi = 11, Imei = 12, Ip = 13, Location = 14, Reason = 15;

    private const string Refused = "REFUSED";

    private static readonly byte[] Header = Encoding.ASCII.GetBytes(string.Join(',', Columns));

    private static readonly CodeTable<TraceStatus> Statuses = new(
        ("FOUND", TraceStatus.Found), ("PARTIAL", TraceStatus.Partial), ("NOT_FOUND", TraceStatus.NotFound), ("REJECTED",
            TraceStatus.Rejected));

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public NativeFormat Format { get; } = new(Name, ".csv", "carrier call detail records, CSV (call-source trace results)");

    public IReadOnlyList<RespondRequest> Read(ReadOnlySpan<byte> document)
    {
        if (document.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            document = document[3..];
        }

        var reader = new CsvTokenizer(document, Columns, Name);
        var fields = new string[Columns.Length];
        var first = reader.ReadRow(fields, out var headerLine, out var count);
        if (!first || count != Columns.Length || !fields.AsSpan().SequenceEqual(Columns))
        {
            throw new TranslationException(Name, "line 1", "header", $"the first line must be the header: {string.Join(',', Columns)}");
        }

        var answers = new List<RespondRequest>();
        var byExchange = new Dictionary<string, RespondRequest>(StringComparer.Ordinal);
        var recent = new Recent();
        while (reader.ReadRow(fields, out var line, out count))
        {
            if (count != Columns.Length)
            {
                throw new TranslationException(Name, $"line {line}", "row", $"has {count} fields; expected {Columns.Length}");
            }

            ReadRow(fields, line, answers, byExchange, recent);
        }

        return answers;
    }

    private static TranslationException Error(int line, int column, string problem) =>
        new(Name, $"line {line}, field {column + 1}", Columns[column], problem);

    /// <summary>The previous row's exchange and time: consecutive rows of one trace skip the lookups.</summary>
    private sealed class Recent
    {
        public string? Id;
        public RespondRequest? Answer;
        public string? SeenText;
        public Timestamp? Seen;
        public string? StatusText;
        public TraceStatus Status;
    }

    private static void ReadRow(string[] f, int line, List<RespondRequest> answers, Dictionary<string, RespondRequest> byExchange,
        Recent recent)
    {
        var exchangeId = f[ExchangeId];
        if (exchangeId.Length == 0)
        {
            throw Error(line, ExchangeId, "is required");
        }

        var status = f[Status];
        var isRefusal = status == Refused;
        TraceStatus traceStatus = default;
        if (ReferenceEquals(status, recent.StatusText))
        {
            traceStatus = recent.Status;
        }
        else if (!isRefusal && !Statuses.TryParse(status, out traceStatus))
        {
            throw Error(line, Status, $"unknown status '{status}'; expected {Statuses.Codes} or {Refused}");
        }
        else
        {
            recent.StatusText = status;
            recent.Status = traceStatus;
        }

        RespondRequest? answer = ReferenceEquals(exchangeId, recent.Id) ? recent.Answer : null;
        if (answer is null && !byExchange.TryGetValue(exchangeId, out answer))
        {
            answer = new RespondRequest { ExchangeId = exchangeId };
            if (isRefusal)
            {
                answer.RejectionReason = f[Reason].Length > 0 ? f[Reason] : throw Error(line, Reason, "a refusal must give its reason");
            }
            else
            {
                answer.Result = new Result { CallTrace = new CallTraceResult { Status = traceStatus, Reason = f[Reason] } };
            }

            byExchange.Add(exchangeId, answer);
            answers.Add(answer);
        }
        else if (isRefusal != (answer.RejectionReason.Length > 0) || (!isRefusal && answer.Result.CallTrace.Status != traceStatus))
        {
            throw Error(line, Status, $"'{status}' differs from an earlier row of {exchangeId}");
        }
        else if ((isRefusal ? answer.RejectionReason : answer.Result.CallTrace.Reason) != f[Reason])
        {
            throw Error(line, Reason, $"differs from an earlier row of {exchangeId}");
        }

        recent.Id = exchangeId;
        recent.Answer = answer;

        if (f[Sequence].Length == 0)
        {
            for (var c = SeenAt; c < Reason; c++)
            {
                if (f[c].Length > 0)
                {
                    throw Error(line, c, "a row without a sequence describes no leg; leave the leg's fields empty");
                }
            }

            return;
        }

        if (isRefusal)
        {
            throw Error(line, Sequence, "a refusal has no legs");
        }

        if (!uint.TryParse(f[Sequence], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            throw Error(line, Sequence, $"'{f[Sequence]}' is not a whole number");
        }

        var spoofed = f[Spoofed] switch
        {
            "Y" => true,
            "N" or "" => false,
            var other => throw Error(line, Spoofed, $"'{other}': expected Y or N"),
        };
        var hop = new CallHop
        {
            Sequence = sequence,
            SeenAt = f[SeenAt].Length == 0 ? null : ReferenceEquals(f[SeenAt],
                recent.SeenText) ? recent.Seen!.Clone() : (recent.Seen = ParseTime(recent.SeenText = f[SeenAt], line)).Clone(),
            Network = f[Network],
            Gateway = f[Gateway],
            Trunk = f[Trunk],
            CountryOfEntry = f[Country],
            PresentedNumber = f[Presented].Length == 0 ? null : new PhoneNumber { E164 = f[Presented] },
            OriginalNumber = f[Original].Length == 0 ? null : new PhoneNumber { E164 = f[Original] },
            CallerIdSpoofed = spoofed,
            Imsi = f[Imsi],
            Imei = f[Imei],
            IpAddress = f[Ip],
            LocationArea = f[Location],
        };
        var trace = answer.Result.CallTrace;
        trace.Hops.Add(hop);
        trace.CallerIdSpoofed |= spoofed;
    }

    private static Timestamp ParseTime(string text, int line) => Canonical.TryParseIsoDateTime(text, out var value)
        ? value
        : throw Error(line, SeenAt, $"'{text}' is not an ISO 8601 date-time with an offset (2026-11-22T09:30:00+08:00)");

    public byte[] Write(IReadOnlyList<RespondRequest> messages)
    {
        var output = new ArrayBufferWriter<byte>(256 * (messages.Count + 1));
        output.Write(Header);
        output.Write("\r\n"u8);
        var row = new string[Columns.Length];
        for (var i = 0; i < messages.Count; i++)
        {
            var answer = messages[i];
            Array.Fill(row, "");
            row[ExchangeId] = answer.ExchangeId;
            if (answer.RejectionReason.Length > 0)
            {
                row[Status] = Refused;
                row[Reason] = answer.RejectionReason;
                WriteRow(output, row);
                continue;
            }

            if (answer.Result?.KindCase != Result.KindOneofCase.CallTrace)
            {
                throw new TranslationException(Name, $"item {i + 1} ({answer.ExchangeId})", "result",
                    $"call detail records carry call-trace results, not {answer.Result?.KindCase}");
            }

            var trace = answer.Result.CallTrace;
            if (!Statuses.TryCode(trace.Status, out var status))
            {
                throw new TranslationException(Name, $"item {i + 1} ({answer.ExchangeId})", "status", $"{trace.Status} has no code");
            }

            row[Status] = status;
            row[Reason] = trace.Reason;
            if (trace.Hops.Count == 0)
            {
                WriteRow(output, row);
            }

            foreach (var hop in trace.Hops)
            {
                row[Sequence] = hop.Sequence.ToString(CultureInfo.InvariantCulture);
                row[SeenAt] = hop.SeenAt is null ? "" : Canonical.IsoDateTime(hop.SeenAt);
                row[Network] = hop.Network;
                row[Gateway] = hop.Gateway;
                row[Trunk] = hop.Trunk;
                row[Country] = hop.CountryOfEntry;
                row[Presented] = hop.PresentedNumber?.E164 ?? "";
                row[Original] = hop.OriginalNumber?.E164 ?? "";
                row[Spoofed] = hop.CallerIdSpoofed ? "Y" : "N";
                row[Imsi] = hop.Imsi;
                row[Imei] = hop.Imei;
                row[Ip] = hop.IpAddress;
                row[Location] = hop.LocationArea;
                WriteRow(output, row);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteRow(ArrayBufferWriter<byte> output, string[] row)
    {
        for (var c = 0; c < row.Length; c++)
        {
            if (c > 0)
            {
                output.Write(","u8);
            }

            var value = row[c];
            if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
            {
                var span = output.GetSpan(Utf8.GetMaxByteCount(value.Length));
                output.Advance(Utf8.GetBytes(value, span));
                continue;
            }

            var quoted = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            var target = output.GetSpan(Utf8.GetMaxByteCount(quoted.Length));
            output.Advance(Utf8.GetBytes(quoted, target));
        }

        output.Write("\r\n"u8);
    }
}
