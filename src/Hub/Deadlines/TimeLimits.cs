namespace AntiFraud.Exchange.Hub.Deadlines;

/// <summary>
/// The longest times a partner may ask for or report. They bound every time the hub computes with,
/// so no value a partner sends can overflow a timer or a date.
/// </summary>
public sealed record TimeLimits(
    TimeSpan MaxHoldPeriod,
    TimeSpan MaxFreezePeriod,
    TimeSpan MaxTraceWindow,
    TimeSpan MaxSuspensionPeriod,
    TimeSpan ClockSkew)
{
    /// <summary>A stop-payment hold of at most 7 days (48 h is the rule), freezes and suspensions of at most a year, traces over at most a
    /// week, clocks up to an hour ahead.</summary>
    public static TimeLimits Defaults { get; } = new(TimeSpan.FromDays(7), TimeSpan.FromDays(366), TimeSpan.FromDays(7),
        TimeSpan.FromDays(366), TimeSpan.FromHours(1));
}
