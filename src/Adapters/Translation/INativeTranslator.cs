using Google.Protobuf;

namespace AntiFraud.Exchange.Adapters.Translation;

/// <summary>
/// Translates between one native format and one canonical message type. A native document may hold
/// several messages (a fixed-width file of notices, a CSV of call records for several traces).
/// </summary>
/// <typeparam name="T">
/// <see cref="Contract.V1.InboxItem"/> for work the hub sends to a partner,
/// <see cref="Contract.V1.RespondRequest"/> for the partner's answers,
/// <see cref="Contract.V1.SubmitRequest"/> for police submissions.
/// </typeparam>
public interface INativeTranslator<T>
    where T : IMessage<T>
{
    NativeFormat Format { get; }

    /// <summary>Native bytes to canonical messages.</summary>
    /// <exception cref="TranslationException">The document is not valid in this format; nothing else is thrown.</exception>
    IReadOnlyList<T> Read(ReadOnlySpan<byte> document);

    /// <summary>Canonical messages to one native document.</summary>
    /// <exception cref="TranslationException">A message holds something the format cannot carry.</exception>
    byte[] Write(IReadOnlyList<T> messages);
}

/// <summary>A format's name (used in configuration and errors) and its file extension.</summary>
public sealed record NativeFormat(string Name, string Extension, string Description);
