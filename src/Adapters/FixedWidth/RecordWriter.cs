using System.Buffers;
using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Adapters.Translation;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>Fills one fixed-width record column by column, failing when a value does not fit.</summary>
internal sealed class RecordWriter(RecordLayout layout, string position)
{
    private readonly byte[] _record = CreateBlank(layout);

    private static byte[] CreateBlank(RecordLayout layout)
    {
        var record = new byte[layout.Length];
        record.AsSpan().Fill((byte)' ');
        record[0] = (byte)layout.Type;
        return record;
    }

    private TranslationException Error(Column column, string problem) => new(FixedWidthFormat.Name, position, column.Label, problem);

    public RecordWriter Text(Column column, string value, bool freeText = false)
    {
        if (value.Length == 0)
        {
            return this;
        }

        if (freeText)
        {
            value = value.ReplaceLineEndings(" ").Replace('\t', ' ');
        }

        if (value.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0)
        {
            throw Error(column, "contains a control character");
        }

        if (value.EndsWith(' '))
        {
            value = value.TrimEnd(' ');
        }

        var target = _record.AsSpan(column.Offset, column.Length);
        if (Ascii.IsValid(value))
        {
            if (value.Length > column.Length)
            {
                throw Error(column, $"is {value.Length} bytes; the column holds {column.Length}");
            }

            Encoding.ASCII.GetBytes(value, target);
            return this;
        }

        var count = FixedWidthFormat.Gb18030.GetByteCount(value);
        if (count > column.Length)
        {
            throw Error(column, $"is {count} bytes in GB18030; the column holds {column.Length}");
        }

        FixedWidthFormat.Gb18030.GetBytes(value, target);
        return this;
    }

    public RecordWriter Code(Column column, string value)
    {
        if (!Ascii.IsValid(value) || value.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0)
        {
            throw Error(column, $"'{value}' must be printable ASCII");
        }

        return Text(column, value);
    }

    public RecordWriter Digits(Column column, long? value)
    {
        if (value is not { } v)
        {
            return this;
        }

        if (v < 0)
        {
            throw Error(column, $"{v} is negative; the column holds unsigned digits");
        }

        var text = v.ToString(CultureInfo.InvariantCulture);
        if (text.Length > column.Length)
        {
            throw Error(column, $"{v} has more than {column.Length} digits");
        }

        var target = _record.AsSpan(column.Offset, column.Length);
        target.Fill((byte)'0');
        Encoding.ASCII.GetBytes(text, target[(column.Length - text.Length)..]);
        return this;
    }

    public RecordWriter Timestamp(Column date, Column time, Timestamp? value)
    {
        if (value is null)
        {
            return this;
        }

        // The record carries whole seconds; a fraction is dropped (a deadline moves earlier, never later).
        var local = Canonical.ToLocal(value);
        if (local.Year is < 1 or > 9999)
        {
            throw Error(date, "is out of range");
        }

        Encoding.ASCII.GetBytes(local.ToString("yyyyMMdd", CultureInfo.InvariantCulture), _record.AsSpan(date.Offset, date.Length));
        Encoding.ASCII.GetBytes(local.ToString("HHmmss", CultureInfo.InvariantCulture), _record.AsSpan(time.Offset, time.Length));
        return this;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        output.Write(_record);
        output.Write("\r\n"u8);
    }
}
