using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Etsi;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// Chooses the translator for each piece of work: outbound by request kind (configurable), inbound by
/// the answer file's extension and, for XML, its root namespace.
/// </summary>
internal sealed class BridgeTranslators
{
    public static readonly string[] RequestKinds = [.. Enum.GetNames<Request.KindOneofCase>().Where(n => n != nameof(Request.KindOneofCase.None))];

    public static readonly string[] OutboundFormats = [FixedWidthFormat.Name, Auth001Queries.Name, RetainedData.Name,
        CanonicalJson<InboxItem>.Name];

    private static readonly Dictionary<Request.KindOneofCase, string> Defaults = new()
    {
        [Request.KindOneofCase.StopPayment] = FixedWidthFormat.Name,
        [Request.KindOneofCase.Freeze] = FixedWidthFormat.Name,
        [Request.KindOneofCase.FreezeRelease] = FixedWidthFormat.Name,
        [Request.KindOneofCase.FundReturn] = FixedWidthFormat.Name,
        [Request.KindOneofCase.AccountQuery] = Auth001Queries.Name,
        [Request.KindOneofCase.CallTrace] = RetainedData.Name,
        [Request.KindOneofCase.NumberSuspension] = CanonicalJson<InboxItem>.Name,
    };

    private readonly Dictionary<string, INativeTranslator<InboxItem>> _outbound;
    private readonly Dictionary<Request.KindOneofCase, string> _formats;
    private readonly FixedWidthResults _fixedWidth;
    private readonly Auth002Answers _auth002 = new();
    private readonly EtsiTraceAnswers _etsi;
    private readonly CdrCsvAnswers _csv = new();
    private readonly CanonicalJson<RespondRequest> _json = new(RespondRequest.Descriptor);

    public BridgeTranslators(BridgeOptions options, TimeProvider time)
    {
        _outbound = new(StringComparer.OrdinalIgnoreCase)
        {
            [FixedWidthFormat.Name] = new FixedWidthNotices(time),
            [Auth001Queries.Name] = new Auth001Queries(),
            [RetainedData.Name] = new EtsiTraceRequests(options.CountryCode),
            [CanonicalJson<InboxItem>.Name] = new CanonicalJson<InboxItem>(InboxItem.Descriptor),
        };
        _formats = new(Defaults);
        foreach (var (kind, format) in options.Formats)
        {
            if (Enum.TryParse<Request.KindOneofCase>(kind, ignoreCase: true, out var k))
            {
                _formats[k] = format;
            }
        }

        _fixedWidth = new FixedWidthResults(time, options.PartnerId);
        _etsi = new EtsiTraceAnswers(options.CountryCode, options.PartnerId);
    }

    /// <summary>The translator for an inbox item, by its request kind.</summary>
    public INativeTranslator<InboxItem> For(InboxItem item)
    {
        var kind = item.Request?.KindCase ?? Request.KindOneofCase.None;
        return _formats.TryGetValue(kind, out var format) ? _outbound[format] : _outbound[CanonicalJson<InboxItem>.Name];
    }

    /// <summary>The translator for a file of requests from the hub (afx-bridge check --requests), by extension and XML namespace.</summary>
    public INativeTranslator<InboxItem> ForRequestFile(string fileName, ReadOnlySpan<byte> content) =>
        Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".dat" or ".txt" => _outbound[FixedWidthFormat.Name],
            ".json" => _outbound[CanonicalJson<InboxItem>.Name],
            ".xml" => Declares(content, Auth001Queries.Ns) ? _outbound[Auth001Queries.Name] : _outbound[RetainedData.Name],
            var other => throw new TranslationException("file", fileName, "extension", $"'{other}' is not a request format"),
        };

    /// <summary>Whether an XML document's opening declares this namespace.</summary>
    private static bool Declares(ReadOnlySpan<byte> content, System.Xml.Linq.XNamespace ns) =>
        System.Text.Encoding.UTF8.GetString(content[..Math.Min(content.Length, 4096)]).Contains(ns.NamespaceName, StringComparison.Ordinal);

    /// <summary>The translator for an answer file; a TranslationException when none fits.</summary>
    public INativeTranslator<RespondRequest> ForAnswer(string fileName, ReadOnlySpan<byte> content)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        switch (extension)
        {
            case ".dat":
            case ".txt":
                return _fixedWidth;
            case ".csv":
                return _csv;
            case ".json":
                return _json;
            case ".xml":
                if (Declares(content, Auth002Answers.Ns))
                {
                    return _auth002;
                }

                if (Declares(content, RetainedData.Ns))
                {
                    return _etsi;
                }

                throw new TranslationException("xml", "line 1", "root element",
                    $"neither an ISO 20022 auth.002 document ({Auth002Answers.Ns.NamespaceName}) nor an ETSI retained-data message ({RetainedData.Ns.NamespaceName})");
            default:
                throw new TranslationException("file", fileName, "extension",
                    $"'{extension}' is not an answer format; use .dat (fixed-width), .xml (auth.002 or ETSI), .csv (call records) or .json (canonical)");
        }
    }
}
