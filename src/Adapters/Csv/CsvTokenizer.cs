using System.Buffers;
using System.Text;
using AntiFraud.Exchange.Adapters.Translation;

namespace AntiFraud.Exchange.Adapters.Csv;

/// <summary>
/// An RFC 4180 reader over UTF-8 bytes: quoted fields may hold commas, quotes and line breaks. Errors
/// name the line, the field and its column.
/// </summary>
internal ref struct CsvTokenizer(ReadOnlySpan<byte> document, string[] columns, string format)
{
    /// <summary>What ends an unquoted field, or makes it invalid (a quote).</summary>
    private static readonly SearchValues<byte> FieldEnds = SearchValues.Create(",\r\n\""u8);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _document = document;
    private int _position;
    private int _line = 1;

    // Call records repeat themselves down a column (the exchange id, the network, the gateway): a value
    // equal to the one above reuses its string instead of decoding it again.
    private readonly string[] _columns = columns;
    private readonly string _format = format;
    private readonly int[] _lastStart = new int[columns.Length];
    private readonly int[] _lastLength = new int[columns.Length];
    private readonly string?[] _lastText = new string?[columns.Length];

    /// <summary>Reads one row into <paramref name="fields"/>; false at the end. Blank lines are skipped.</summary>
    public bool ReadRow(string[] fields, out int line, out int count)
    {
        while (_position < _document.Length && (_document[_position] == '\n' || _document[_position] == '\r'))
        {
            if (_document[_position] == '\n')
            {
                _line++;
            }

            _position++;
        }

        line = _line;
        count = 0;
        if (_position >= _document.Length)
        {
            return false;
        }

        while (true)
        {
            var value = ReadField(line, count);
            if (count < fields.Length)
            {
                fields[count] = value;
            }

            count++;
            if (_position >= _document.Length)
            {
                return true;
            }

            var b = _document[_position++];
            if (b == ',')
            {
                continue;
            }

            if (b == '\r' && _position < _document.Length && _document[_position] == '\n')
            {
                _position++;
            }

            _line++;
            return true;
        }
    }

    private string ReadField(int line, int field)
    {
        var rest = _document[_position..];
        if (rest.IsEmpty || rest[0] != '"')
        {
            var end = rest.IndexOfAny(FieldEnds);
            if (end >= 0 && rest[end] == (byte)'"')
            {
                throw new TranslationException(_format, $"line {line}, field {field + 1}", ColumnName(_columns, field),
                    "a quote inside an unquoted field; quote the whole field and double the quote");
            }

            var raw = end < 0 ? rest : rest[..end];

            var start = _position;
            _position += raw.Length;
            if (field < _lastText.Length)
            {
                if (_lastText[field] is { } last && raw.SequenceEqual(_document.Slice(_lastStart[field], _lastLength[field])))
                {
                    return last;
                }

                var decoded = Decode(raw, line, field);
                _lastStart[field] = start;
                _lastLength[field] = raw.Length;
                _lastText[field] = decoded;
                return decoded;
            }

            return Decode(raw, line, field);
        }

        var text = new ArrayBufferWriter<byte>();
        var i = 1;
        while (true)
        {
            var next = rest[i..].IndexOf((byte)'"');
            if (next < 0)
            {
                throw new TranslationException(_format, $"line {line}, field {field + 1}", ColumnName(_columns, field),
                    "a quoted field is not closed before the end of the file");
            }

            text.Write(rest.Slice(i, next));
            _line += rest.Slice(i, next).Count((byte)'\n');
            i += next + 1;
            if (i < rest.Length && rest[i] == '"')
            {
                text.Write("\""u8);
                i++;
                continue;
            }

            if (i < rest.Length && rest[i] is not ((byte)',' or (byte)'\r' or (byte)'\n'))
            {
                throw new TranslationException(_format, $"line {line}, field {field + 1}", ColumnName(_columns, field),
                    "text after the closing quote of a quoted field");
            }

            _position += i;
            return Decode(text.WrittenSpan, line, field);
        }
    }

    private static string ColumnName(string[] columns, int field) => field < columns.Length ? columns[field] : $"field {field + 1}";

    private readonly string Decode(ReadOnlySpan<byte> raw, int line, int field)
    {
        if (raw.IsEmpty)
        {
            return "";
        }

        try
        {
            return Utf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            throw new TranslationException(_format, $"line {line}, field {field + 1}", ColumnName(_columns, field), "is not valid UTF-8");
        }
    }
}
