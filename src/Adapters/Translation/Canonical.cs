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
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
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
