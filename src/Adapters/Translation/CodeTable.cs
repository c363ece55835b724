namespace AntiFraud.Exchange.Adapters.Translation;

/// <summary>A two-way table between a native code and a canonical enum value. Unknown codes are errors, never defaults.</summary>
internal sealed class CodeTable<TEnum>
    where TEnum : struct, Enum
{
    private readonly Dictionary<string, TEnum> _byCode;
    private readonly Dictionary<TEnum, string> _byValue;

    public CodeTable(params (string Code, TEnum Value)[] entries)
    {
        _byCode = entries.ToDictionary(e => e.Code, e => e.Value, StringComparer.Ordinal);
        _byValue = entries.ToDictionary(e => e.Value, e => e.Code);
    }

    /// <summary>"00, 01, 10", for error messages and documentation.</summary>
    public string Codes => string.Join(", ", _byCode.Keys);

    public bool TryParse(string code, out TEnum value) => _byCode.TryGetValue(code, out value);

    public bool TryCode(TEnum value, out string code) => _byValue.TryGetValue(value, out code!);
}
