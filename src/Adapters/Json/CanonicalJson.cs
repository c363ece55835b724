using System.Text;
using System.Text.Json;
using AntiFraud.Exchange.Adapters.Translation;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Adapters.Json;

/// <summary>
/// The canonical messages in protobuf's JSON mapping (lowerCamelCase names, enums by name, timestamps in
/// RFC 3339, int64 as strings): one object, or an array of objects. Police case-management systems use
/// it for SubmitRequest; any partner can use it for inbox items and answers. Unknown fields are errors.
/// </summary>
internal sealed class CanonicalJson<T>(MessageDescriptor descriptor) : INativeTranslator<T>
    where T : IMessage<T>, new()
{
    public const string Name = "json";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public NativeFormat Format { get; } = new(Name, ".json", $"canonical {descriptor.Name} in protobuf JSON mapping");

    public IReadOnlyList<T> Read(ReadOnlySpan<byte> document)
    {
        // Windows tools often start a UTF-8 file with a byte order mark; it is not part of the JSON.
        if (document.StartsWith("\uFEFF"u8))
        {
            document = document[3..];
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new TranslationException(Name, $"line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}", "document",
                "not valid JSON: " + FirstSentence(e.Message));
        }

        using (json)
        {
            var elements = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToList() : [json.RootElement];
            var messages = new List<T>(elements.Count);
            for (var i = 0; i < elements.Count; i++)
            {
                var position = elements.Count == 1 && json.RootElement.ValueKind != JsonValueKind.Array ? "$" : $"$[{i}]";
                if (elements[i].ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException(Name, position, descriptor.Name,
                        $"expected a JSON object, found {elements[i].ValueKind}");
                }

                try
                {
                    messages.Add(Parser.Parse<T>(elements[i].GetRawText()));
                }
                catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or InvalidOperationException or ArgumentException)
                {
                    throw new TranslationException(Name, position, descriptor.Name, e.Message);
                }
            }

            return messages;
        }
    }

    public byte[] Write(IReadOnlyList<T> messages)
    {
        var text = messages.Count == 1
            ? Formatter.Format(messages[0])
            : "[\n" + string.Join(",\n", messages.Select(m => Formatter.Format(m))) + "\n]";
        return Encoding.UTF8.GetBytes(text + "\n");
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
