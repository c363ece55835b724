using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.Translation;

/// <summary>
/// Safe XML loading (no DTDs, no external entities) and a cursor over elements that fails with the
/// element's path, line and column, and the canonical field.
/// </summary>
internal static class XmlDocumentReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 64L * 1024 * 1024,
    };

    public static XmlCursor Load(ReadOnlySpan<byte> document, string format, XNamespace ns, string rootName)
    {
        XDocument xml;
        try
        {
            using var stream = new MemoryStream(document.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings);
            xml = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new TranslationException(format, $"line {e.LineNumber}, column {e.LinePosition}", "document", "not well-formed XML: "
                + e.Message);
        }
        catch (ArgumentException e)
        {
            // The reader's encoding switch (an encoding="..." declaration it cannot honour, bytes the
            // declared encoding cannot decode) throws ArgumentException or DecoderFallbackException, not
            // XmlException; a partner's file must still be refused with its reason, never crash the pump.
            throw new TranslationException(format, "XML declaration", "document", "cannot be decoded: " + e.Message);
        }

        var root = xml.Root!;
        var cursor = new XmlCursor(root, "/" + root.Name.LocalName, format, "");
        if (root.Name != ns + rootName)
        {
            throw cursor.Error($"the root element is {{{root.Name.NamespaceName}}}{root.Name.LocalName}; expected {{{ns.NamespaceName}}}{rootName}");
        }

        return cursor;
    }

    public static byte[] Save(XElement root, string format)
    {
        try
        {
            return Save(root);
        }
        catch (ArgumentException e)
        {
            throw new TranslationException(format, "document", "text", "holds a character XML cannot carry: " + e.Message);
        }
    }

    private static byte[] Save(XElement root)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true,
            Encoding = new System.Text.UTF8Encoding(false) }))
        {
            new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Save(writer);
        }

        return stream.ToArray();
    }
}

/// <summary>One element, its path for errors, and the canonical field it maps to.</summary>
internal sealed class XmlCursor(XElement element, string path, string format, string canonical)
{
    public XElement Element => element;

    public string Path => path;

    public TranslationException Error(string problem)
    {
        var line = (IXmlLineInfo)element;
        var position = line.HasLineInfo() ? $"{path} (line {line.LineNumber}, column {line.LinePosition})" : path;
        return new TranslationException(format, position,
            canonical.Length == 0 ? element.Name.LocalName : $"{element.Name.LocalName} ({canonical})", problem);
    }

    public XmlCursor? Optional(string name, string canonicalField = "")
    {
        var child = element.Element(element.Name.Namespace + name);
        return child is null ? null : new XmlCursor(child, path + "/" + name, format, canonicalField);
    }

    public XmlCursor Required(string name, string canonicalField = "") =>
        Optional(name, canonicalField) ?? throw Error($"the required element {name} is missing");

    public IEnumerable<XmlCursor> Children(string name, string canonicalField = "")
    {
        var i = 0;
        foreach (var child in element.Elements(element.Name.Namespace + name))
        {
            i++;
            yield return new XmlCursor(child, $"{path}/{name}[{i}]", format, canonicalField);
        }
    }

    public string Text => element.Value;

    public string OptionalText(string name, string canonicalField = "") => Optional(name, canonicalField)?.Text ?? "";

    public bool Bool()
    {
        try
        {
            return XmlConvert.ToBoolean(element.Value);
        }
        catch (FormatException)
        {
            throw Error($"'{element.Value}' is not true or false");
        }
    }

    public Timestamp DateTime() => Canonical.TryParseIsoDateTime(element.Value, out var value)
        ? value
        : throw Error($"'{element.Value}' is not an ISO 8601 date-time with an offset (2026-11-22T09:30:00+08:00)");

    public Duration Duration()
    {
        try
        {
            return Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(XmlConvert.ToTimeSpan(element.Value));
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw Error($"'{element.Value}' is not an xs:duration (PT30M)");
        }
    }

    public uint UInt()
    {
        return uint.TryParse(element.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"'{element.Value}' is not a whole number");
    }

    public TEnum Code<TEnum>(CodeTable<TEnum> table)
        where TEnum : struct, System.Enum =>
        table.TryParse(element.Value, out var value) ? value : throw Error($"unknown code '{element.Value}'; expected {table.Codes}");
}
