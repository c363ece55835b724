using System.Buffers;
using System.Text;
using AntiFraud.Exchange.Adapters.Translation;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>What both fixed-width translators share: the encoding and the file frame (header, records, trailer).</summary>
internal static class FixedWidthFormat
{
    public const string Name = "fixed-width";

    public static readonly NativeFormat Format = new(Name, ".dat", "legacy bank records, fixed width, GB18030 (layout AFX1)");

    public static readonly Encoding Gb18030 = CreateGb18030();

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>Calls <paramref name="body"/> for each record between a valid header and trailer.</summary>
    public static void ReadFile(ReadOnlySpan<byte> document, char fileKind, RecordVisitor body, Func<(long Count, long Total)> totals)
    {
        var line = 0;
        var rest = document;
        var sawHeader = false;
        var sawTrailer = false;
        while (!rest.IsEmpty)
        {
            line++;
            var end = rest.IndexOf((byte)'\n');
            var bytes = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            {
                bytes = bytes[..^1];
            }

            if (sawTrailer)
            {
                if (bytes.IsEmpty && rest.IsEmpty)
                {
                    break;
                }

                throw new TranslationException(Name, $"line {line}", "REC-TYPE", "nothing may follow the trailer (T) record");
            }

            if (bytes.IsEmpty)
            {
                throw new TranslationException(Name, $"line {line}", "REC-TYPE", "empty line; every line is one record");
            }

            var layout = LayoutOf(bytes[0]);
            if (layout is null)
            {
                throw new TranslationException(Name, $"line {line}, column 1", "REC-TYPE",
                    $"unknown record type '{(char)bytes[0]}'; expected H, {(fileKind == 'N' ? "N, V" : "R, O, V")} or T");
            }

            if (bytes.Length != layout.Length)
            {
                throw new TranslationException(Name, $"line {line}", "record length",
                    $"a {layout.Type} record is {layout.Length} bytes; this one is {bytes.Length} (were trailing spaces trimmed?)");
            }

            var record = new FixedRecord(bytes, line);
            if (!sawHeader)
            {
                if (layout.Type != 'H')
                {
                    throw record.Error(FixedWidthLayout.Header.RecType, "the first record must be the header (H)");
                }

                ReadHeader(record, fileKind);
                sawHeader = true;
                continue;
            }

            switch (layout.Type)
            {
                case 'H':
                    throw record.Error(FixedWidthLayout.Header.RecType, "a second header (H) record");
                case 'T':
                    var (count, sum) = totals();
                    ReadTrailer(record, count, sum);
                    sawTrailer = true;
                    break;
                default:
                    body(record, layout);
                    break;
            }
        }

        if (!sawHeader)
        {
            throw new TranslationException(Name, "line 1", "REC-TYPE", "the file is empty; it must start with a header (H) record");
        }

        if (!sawTrailer)
        {
            throw new TranslationException(Name, $"line {line + 1}", "REC-TYPE",
                "the file ends without its trailer (T) record; was it cut short?");
        }
    }

    private static RecordLayout? LayoutOf(byte type)
    {
        foreach (var layout in FixedWidthLayout.All)
        {
            if (layout.Type == type)
            {
                return layout;
            }
        }

        return null;
    }

    private static void ReadHeader(FixedRecord record, char fileKind)
    {
        var version = record.Code(FixedWidthLayout.Header.LayoutVersion);
        if (version != FixedWidthLayout.Version)
        {
            throw record.Error(FixedWidthLayout.Header.LayoutVersion,
                $"layout '{version}' is not supported; this bridge reads {FixedWidthLayout.Version}");
        }

        var kind = record.Code(FixedWidthLayout.Header.FileKind);
        if (kind != fileKind.ToString())
        {
            throw record.Error(FixedWidthLayout.Header.FileKind,
                $"'{kind}': expected '{fileKind}' ({(fileKind == 'N' ? "notices" : "results")})");
        }

        _ = record.Timestamp(FixedWidthLayout.Header.CreatedDate, FixedWidthLayout.Header.CreatedTime);
    }

    private static void ReadTrailer(FixedRecord record, long count, long total)
    {
        var declared = record.RequiredDigits(FixedWidthLayout.Trailer.RecordCount);
        if (declared != count)
        {
            throw record.Error(FixedWidthLayout.Trailer.RecordCount, $"the trailer declares {declared} records; the file holds {count}");
        }

        var declaredTotal = record.RequiredDigits(FixedWidthLayout.Trailer.TotalFen);
        if (declaredTotal != total)
        {
            throw record.Error(FixedWidthLayout.Trailer.TotalFen,
                $"the trailer declares a total of {declaredTotal}; the records add up to {total}");
        }
    }

    public static void WriteHeader(IBufferWriter<byte> output, char fileKind, string sender, TimeProvider time) =>
        new RecordWriter(FixedWidthLayout.Header.Layout, "header")
            .Code(FixedWidthLayout.Header.LayoutVersion, FixedWidthLayout.Version)
            .Code(FixedWidthLayout.Header.FileKind, fileKind.ToString())
            .Code(FixedWidthLayout.Header.SenderId, sender)
            .Timestamp(FixedWidthLayout.Header.CreatedDate, FixedWidthLayout.Header.CreatedTime,
                Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time.GetUtcNow()))
            .WriteTo(output);

    public static void WriteTrailer(IBufferWriter<byte> output, long count, long total) =>
        new RecordWriter(FixedWidthLayout.Trailer.Layout, "trailer")
            .Digits(FixedWidthLayout.Trailer.RecordCount, count)
            .Digits(FixedWidthLayout.Trailer.TotalFen, total)
            .WriteTo(output);

    /// <summary>Both directions share the notice kinds.</summary>
    public static readonly CodeTable<Contract.V1.Request.KindOneofCase> Kinds = new(
        ("SP", Contract.V1.Request.KindOneofCase.StopPayment),
        ("FZ", Contract.V1.Request.KindOneofCase.Freeze),
        ("FR", Contract.V1.Request.KindOneofCase.FreezeRelease),
        ("RT", Contract.V1.Request.KindOneofCase.FundReturn));
}

internal delegate void RecordVisitor(FixedRecord record, RecordLayout layout);
