using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.Translation;

/// <summary>Conversions every format shares: legacy local time, money in major units, durations.</summary>
internal static class Canonical
{
    /// <summary>China Standard Time: UTC+8 all year, no daylight saving. Legacy records carry local time without an offset.</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static DateTimeOffset ToLocal(Timestamp timestamp) => timestamp.ToDateTimeOffset().ToOffset(ChinaStandardTime);

    public static Timestamp FromLocal(DateTime local) =>
        Timestamp.FromDateTimeOffset(new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), ChinaStandardTime));

    /// <summary>An ISO 8601 timestamp in China Standard Time, full precision: 2026-11-22T09:30:00+08:00.</summary>
    public static string IsoDateTime(Timestamp t) => ToLocal(t).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static readonly string[] IsoFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>An ISO 8601 date-time with an offset or Z, as every XML and CSV format here carries it.</summary>
    public static bool TryParseIsoDateTime(string text, out Timestamp value)
    {
        if (TryParseWholeSeconds(text, out value))
        {
            return true;
        }

        if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = Timestamp.FromDateTimeOffset(parsed);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The common case of <see cref="IsoDateTime"/> without fractions, "2026-11-22T09:30:00+08:00", parsed
    /// without the general parser; false for anything else (then the general parser decides).
    /// </summary>
    private static bool TryParseWholeSeconds(string text, out Timestamp value)
    {
        value = null!;
        var s = text.AsSpan();
        if (s.Length != 25 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] is not ('+' or '-')
            || s[22] != ':')
        {
            return false;
        }

        if (!int.TryParse(s[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(s[5..7], NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(s[8..10], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(s[11..13], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(s[14..16], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || !int.TryParse(s[17..19], NumberStyles.None, CultureInfo.InvariantCulture, out var second)
            || !int.TryParse(s[20..22], NumberStyles.None, CultureInfo.InvariantCulture, out var offsetHours)
            || !int.TryParse(s[23..25], NumberStyles.None, CultureInfo.InvariantCulture, out var offsetMinutes)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59)
        {
            return false;
        }

        var offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (s[19] == '-' ? -1 : 1);
        var local = new DateTime(year, month, day, hour, minute, second);
        if ((local - offset).Year is < 1 or > 9999)
        {
            return false;
        }

        value = Timestamp.FromDateTimeOffset(new DateTimeOffset(local, offset));
        return true;
    }

    /// <summary>Digits after the decimal point for an ISO 4217 currency: 0 for JPY and KRW, 3 for the dinars, 2 otherwise.</summary>
    public static int MinorDigits(string currency) => currency switch
    {
        "JPY" or "KRW" or "VND" or "CLP" or "ISK" => 0,
        "BHD" or "KWD" or "OMR" or "JOD" or "IQD" or "LYD" or "TND" => 3,
        _ => 2,
    };

    /// <summary>Minor units to an ISO 20022 decimal amount: 123456 CNY → "1234.56".</summary>
    public static string MajorUnits(long minorUnits, string currency)
    {
        var digits = MinorDigits(currency);
        var value = (decimal)minorUnits / Pow10(digits);
        return value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>An ISO 20022 decimal amount to minor units; null with a reason when it has more decimals than the currency.</summary>
    public static long? MinorUnits(string text, string currency, out string? problem)
    {
        problem = null;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
            out var value))
        {
            problem = $"'{text}' is not a decimal amount";
            return null;
        }

        var scaled = value * Pow10(MinorDigits(currency));
        if (scaled != decimal.Truncate(scaled))
        {
            problem = $"'{text}' has more decimal places than {currency} allows ({MinorDigits(currency)})";
            return null;
        }

        if (scaled is > long.MaxValue or < long.MinValue)
        {
            problem = $"'{text}' is too large";
            return null;
        }

        return (long)scaled;
    }

    private static decimal Pow10(int digits) => digits switch { 0 => 1m, 2 => 100m, _ => 1000m };
}
