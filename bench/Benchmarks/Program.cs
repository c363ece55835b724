using AntiFraud.Exchange.Benchmarks;
using BenchmarkDotNet.Running;

// `audit [SECONDS] [LEAVES]` runs the audit-log throughput and proof measurements; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "audit")
{
    await AuditBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
    return;
}

// `adapters [SECONDS]` measures translation throughput per native format.
if (args.Length > 0 && args[0] == "adapters")
{
    AdapterThroughput.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}

// `screening [SECONDS] [ENTRIES]` measures list screening: the OPRF primitives, local matching, online screening against a hub.
if (args.Length > 0 && args[0] == "screening")
{
    await ScreeningBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
    return;
}

// `purge [PER_DAY] [CONCURRENCY]` measures a retention purge of a year of history beside live submissions.
if (args.Length > 0 && args[0] == "purge")
{
    await PurgeBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4);
    return;
}

// `startup [AUDIT_ENTRIES] [EXCHANGES]` measures the hub's start on a big store and audit log.
if (args.Length > 0 && args[0] == "startup")
{
    await StartupBenchmark.RunAsync(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(MaskingBenchmarks).Assembly).Run(args);
