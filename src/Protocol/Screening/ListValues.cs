using System.Globalization;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Protocol.Screening;

/// <summary>
/// One spelling per listed thing, so the hub (publishing) and a partner (screening) compute the same PRF input:
/// phone numbers as E.164 digits with '+' (an 11-digit Chinese mobile gets +86), accounts as "BANK:NUMBER" with
/// the number's spaces and dashes removed, domains lower-cased without scheme or trailing dot, IMEIs as digits,
/// merchant ids trimmed and upper-cased. Null when the value cannot be one of its kind.
/// </summary>
public static class ListValues
{
    public const int MaxLength = 256;

    public static string? Normalize(ListKind kind, string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return null;
        }

        switch (kind)
        {
            case ListKind.Phone:
                var digits = new string([.. value.Where(char.IsAsciiDigit)]);
                if (digits.StartsWith("00", StringComparison.Ordinal))
                {
                    digits = digits[2..];
                }
                else if (!value.StartsWith('+') && digits.Length == 11 && digits[0] == '1')
                {
                    digits = "86" + digits;
                }

                return digits.Length is >= 7 and <= 15 ? "+" + digits : null;
            case ListKind.Account:
                var colon = value.IndexOf(':', StringComparison.Ordinal);
                var number = new string([.. value[(colon + 1)..].Where(char.IsAsciiLetterOrDigit)]).ToUpperInvariant();
                var bank = colon > 0 ? value[..colon].Trim().ToLowerInvariant() : string.Empty;
                return number.Length >= 6 ? bank + ":" + number : null;
            case ListKind.Domain:
                var host = value.ToLowerInvariant();
                var scheme = host.IndexOf("://", StringComparison.Ordinal);
                host = (scheme >= 0 ? host[(scheme + 3)..] : host).TrimEnd('/').TrimEnd('.');
                return host.Length > 0 && !host.Contains(' ', StringComparison.Ordinal) ? host : null;
            case ListKind.Imei:
                var imei = new string([.. value.Where(char.IsAsciiDigit)]);
                return imei.Length is 14 or 15 ? imei : null;
            case ListKind.Merchant:
                return value.ToUpper(CultureInfo.InvariantCulture);
            default:
                return null;
        }
    }
}
