using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(AntiFraud.Exchange.Benchmarks.MaskingBenchmarks).Assembly).Run(args);
