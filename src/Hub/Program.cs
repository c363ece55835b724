using AntiFraud.Exchange.Hub.Hosting;

// Everything afx-hub creates (the store, its WAL, the audit log, key files) is its user's alone.
PrivateFiles.ForThisProcess();
if (args is ["keys", "rotate", ..] or ["backup", ..] or ["restore", ..])
{
    try
    {
        return args switch
        {
            ["backup", var to, ..] when !to.StartsWith('-') => BackupCommands.Backup(to, args[2..]),
            ["restore", var from, ..] when !from.StartsWith('-') => BackupCommands.Restore(from, args[2..]),
            ["backup" or "restore", ..] => Usage(BackupCommands.Usage),
            _ => KeyRotation.Run(args[2..]),
        };
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        Console.Error.WriteLine($"afx-hub {args[0]}: " + ex.Message);
        return 1;
    }
}

static int Usage(string text)
{
    Console.Error.WriteLine(text);
    return 2;
}

if (HubHelp.Asked(args))
{
    Console.WriteLine(HubHelp.Text);
    return 0;
}

try
{
    var builder = HubHost.CreateBuilder([.. args.Where(a => a != HubHelp.CheckConfig)]);
    builder.AddHub();
    if (args.Contains(HubHelp.CheckConfig))
    {
        // Validate what an operator is about to reload or start with, without listening or opening the store.
        // A provider of its own, not the host's: building the host would set up Kestrel and open the audit log.
#pragma warning disable ASP0000
        using var services = builder.Services.BuildServiceProvider();
#pragma warning restore ASP0000
        foreach (var line in HubHost.CheckConfiguration(services))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    var app = builder.Build();
    app.MapHub();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // A refused start-up (a missing file, a damaged audit log, development keys in Production) says
    // what to fix, without a stack trace.
    Console.Error.WriteLine((args.Contains(HubHelp.CheckConfig) ? "afx-hub --check-config: the configuration is NOT valid: " : "afx-hub could not start: ")
        + HubHost.Describe(ex));
    return 1;
}

/// <summary>Entry point, visible to the functional tests that host the hub in-process.</summary>
public partial class Program;
