using System.Net;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Checks the hub's settings before anything is opened, naming each setting that is wrong and what it
/// accepts. Run when the hub is built (files are resolved from these settings right away) and again on
/// start (ValidateOnStart), so no setting reaches a service unchecked.
/// </summary>
internal sealed class HubOptionsValidator : IValidateOptions<HubOptions>
{
    private static readonly string[] Providers = ["sqlite", "redis", "memory"];

    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        var failures = new List<string>();
        if (!IPEndPoint.TryParse(options.Listen, out _))
        {
            failures.Add($"Hub:Listen '{options.Listen}' is not an address:port such as 127.0.0.1:7443.");
        }

        var ops = options.Ops;
        if (ops.Listen is { Length: > 0 } opsListen && opsListen != "none" && !IPEndPoint.TryParse(opsListen, out _))
        {
            failures.Add($"Hub:Ops:Listen '{opsListen}' is not an address:port such as 127.0.0.1:8443 (or none to turn the operations port off).");
        }

        if (string.IsNullOrEmpty(ops.Listen) && IPEndPoint.TryParse(options.Listen, out var partnerPort) && partnerPort.Port > IPEndPoint.MaxPort - 1000)
        {
            failures.Add($"Hub:Ops:Listen is needed: its default, the partner port + 1000 ({partnerPort.Port + 1000}), is not a port. "
                + "Set it (127.0.0.1:PORT) or turn the operations port off with none.");
        }

        if (!string.IsNullOrWhiteSpace(ops.OtlpEndpoint) && !Uri.TryCreate(ops.OtlpEndpoint, UriKind.Absolute, out _))
        {
            failures.Add($"Hub:Ops:OtlpEndpoint '{ops.OtlpEndpoint}' is not an absolute URL such as http://127.0.0.1:4317.");
        }

        if (ops.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"Hub:Ops:OtlpProtocol '{ops.OtlpProtocol}' is not grpc or http/protobuf.");
        }

        if (options.Tls.StaleCrl is not ("refuse" or "warn"))
        {
            failures.Add($"Hub:Tls:StaleCrl '{options.Tls.StaleCrl}' is not refuse or warn.");
        }

        if (!Providers.Contains(options.Store.Provider))
        {
            failures.Add($"Hub:Store:Provider '{options.Store.Provider}' is unknown: use sqlite (the default), redis or memory.");
        }

        if (options.Store.Redis.TimeoutMilliseconds <= 0)
        {
            failures.Add($"Hub:Store:Redis:TimeoutMilliseconds {options.Store.Redis.TimeoutMilliseconds} must be above 0.");
        }

        if (options.ShutdownTimeoutSeconds < 0)
        {
            failures.Add($"Hub:ShutdownTimeoutSeconds {options.ShutdownTimeoutSeconds} must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(options.Audit.Origin))
        {
            failures.Add("Hub:Audit:Origin is required: it names the audit log in every signed checkpoint.");
        }

        if (options.Audit.FullCheckBelowEntries < 0)
        {
            failures.Add($"Hub:Audit:FullCheckBelowEntries {options.Audit.FullCheckBelowEntries} must not be negative (0: always open from the saved tree).");
        }

        var limits = options.Limits;
        foreach (var (setting, value) in new[]
        {
            ("MaxConnections", limits.MaxConnections), ("MaxStreamsPerConnection", limits.MaxStreamsPerConnection),
            ("MaxBufferedPerConnectionMiB", limits.MaxBufferedPerConnectionMiB), ("MaxBufferedTotalMiB", limits.MaxBufferedTotalMiB),
            ("MinRequestBodyBytesPerSecond", limits.MinRequestBodyBytesPerSecond),
        })
        {
            if (value <= 0)
            {
                failures.Add($"Hub:Limits:{setting} {value} must be above 0.");
            }
        }

        if (options.Lists.EvaluationsPerMinute <= 0)
        {
            failures.Add($"Hub:Lists:EvaluationsPerMinute {options.Lists.EvaluationsPerMinute} must be above 0.");
        }

        if (options.Bulk.MaxUnfinishedUploads is <= 0 or > 1000)
        {
            failures.Add($"Hub:Bulk:MaxUnfinishedUploads {options.Bulk.MaxUnfinishedUploads} must be between 1 and 1000.");
        }

        if (options.Bulk.OverdueItemsNamed is < 0 or > 1000)
        {
            failures.Add($"Hub:Bulk:OverdueItemsNamed {options.Bulk.OverdueItemsNamed} must be between 0 and 1000.");
        }

        if (options.Lists.MaxEntryDays is <= 0 or > 3653)
        {
            failures.Add($"Hub:Lists:MaxEntryDays {options.Lists.MaxEntryDays} must be between 1 and 3653.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws, with every failure named, when the settings are not valid.</summary>
    public static void ThrowIfInvalid(HubOptions options)
    {
        var result = new HubOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(HubOptions.Section, typeof(HubOptions), result.Failures);
        }
    }
}
