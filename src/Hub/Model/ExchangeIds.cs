namespace AntiFraud.Exchange.Hub.Model;

/// <summary>The shape of the ids the hub issues: "ex-" and 32 lower-case hex digits (a version 7 GUID).</summary>
internal static class ExchangeIds
{
    public static string New(DateTimeOffset now) => "ex-" + Guid.CreateVersion7(now).ToString("N");

    /// <summary>True for an id the hub could have issued; anything else is never looked up or logged.</summary>
    public static bool IsWellFormed(string id)
    {
        if (id.Length != 35 || !id.StartsWith("ex-", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(3))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
