namespace AntiFraud.Exchange.Adapters.Translation;

/// <summary>
/// The one error a translator raises: a native document (or a canonical message) that cannot be
/// translated. It names the format, where in the document (line and column, or an XML path), the
/// native field and the canonical field, and what is wrong.
/// </summary>
public sealed class TranslationException : Exception
{
    public TranslationException(string format, string position, string field, string problem)
        : base($"{format}: {position}: {field}: {problem}")
    {
        Format = format;
        Position = position;
        Field = field;
        Problem = problem;
    }

    /// <summary>The format's name, for example "fixed-width".</summary>
    public string Format { get; }

    /// <summary>"line 3, column 41", "/Document/InfReqOpng/DueDt/DueDt (line 9, column 8)" or "item 2".</summary>
    public string Position { get; }

    /// <summary>The native field and, where there is one, the canonical field it maps to.</summary>
    public string Field { get; }

    public string Problem { get; }

    /// <summary>
    /// Wraps a failure a translator should never have let out (a bug, or a library throwing something
    /// it does not document), so the file is still kept with a reason instead of stopping the bridge.
    /// </summary>
    public static TranslationException Unexpected(string format, Exception e) =>
        new(format, "document", "document",
            $"the translator failed unexpectedly ({e.GetType().Name}: {e.Message}); the file is kept, please report it");
}
