using System.Text;
using AntiFraud.Exchange.Adapters.Translation;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>Reads the columns of one fixed-width record, failing with the line, the column and the field.</summary>
internal readonly ref struct FixedRecord(ReadOnlySpan<byte> bytes, int line)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Line { get; } = line;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public TranslationException Error(Column column, string problem) =>
        new(FixedWidthFormat.Name, $"line {Line}, column {column.Start}", column.Label, problem);

    private ReadOnlySpan<byte> Raw(Column column) => _bytes.Slice(column.Offset, column.Length);

    public bool IsBlank(Column column) => Raw(column).IndexOfAnyExcept((byte)' ') < 0;

    /// <summary>GB18030 text without its padding.</summary>
    public string Text(Column column)
    {
        var raw = Raw(column).TrimEnd((byte)' ');
        if (raw.IsEmpty)
        {
            return "";
        }

        if (Ascii.IsValid(raw))
        {
            if (raw.IndexOfAnyInRange((byte)0, (byte)31) >= 0)
            {
                throw Error(column, "contains a control character");
            }

            return Encoding.ASCII.GetString(raw);
        }

        try
        {
            var text = FixedWidthFormat.Gb18030.GetString(raw);
            if (text.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0)
            {
                throw Error(column, "contains a control character");
            }

            return text;
        }
        catch (DecoderFallbackException)
        {
            throw Error(column, "is not valid GB18030 text (a multi-byte character is broken or cut by the column edge)");
        }
    }

    /// <summary>ASCII identifier or code without its padding.</summary>
    public string Code(Column column)
    {
        var raw = Raw(column).TrimEnd((byte)' ');
        if (!Ascii.IsValid(raw) || raw.IndexOfAnyInRange((byte)0, (byte)31) >= 0)
        {
            throw Error(column, "must be printable ASCII");
        }

        return Encoding.ASCII.GetString(raw);
    }

    /// <summary>Zero-padded digits; null when the column is all spaces.</summary>
    public long? Digits(Column column)
    {
        var raw = Raw(column);
        if (IsBlank(column))
        {
            return null;
        }

        long value = 0;
        foreach (var b in raw)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw Error(column, raw.Contains((byte)'.')
                    ? $"'{Show(raw)}' has a decimal point; {column.Name} holds whole units (fen), zero-padded digits only"
                    : $"'{Show(raw)}' is not zero-padded digits");
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    public long RequiredDigits(Column column) => Digits(column) ?? throw Error(column, "is required");

    /// <summary>Date and time columns in China Standard Time; null when both are spaces.</summary>
    public Timestamp? Timestamp(Column date, Column time)
    {
        if (IsBlank(date) && IsBlank(time))
        {
            return null;
        }

        var d = Raw(date);
        var t = Raw(time);
        if (!TryNumber(d[..4], out var year) || !TryNumber(d[4..6], out var month) || !TryNumber(d[6..], out var dayOfMonth)
            || year < 1 || month is < 1 or > 12 || dayOfMonth < 1 || dayOfMonth > DateTime.DaysInMonth(year, month))
        {
            throw Error(date, $"'{Show(d)}' is not a date (yyyyMMdd)");
        }

        if (!TryNumber(t[..2], out var hour) || !TryNumber(t[2..4], out var minute) || !TryNumber(t[4..], out var second)
            || hour > 23 || minute > 59 || second > 59)
        {
            throw Error(time, $"'{Show(t)}' is not a time (HHmmss)");
        }

        var day = new DateTime(year, month, dayOfMonth);
        var clock = new TimeSpan(hour, minute, second);
        return Canonical.FromLocal(day + clock);
    }

    private static bool TryNumber(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    public string Show(ReadOnlySpan<byte> raw)
    {
        try
        {
            return FixedWidthFormat.Gb18030.GetString(raw).TrimEnd();
        }
        catch (DecoderFallbackException)
        {
            return Convert.ToHexString(raw);
        }
    }
}
