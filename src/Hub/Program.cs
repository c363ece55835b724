using AntiFraud.Exchange.Hub.Hosting;

if (HubHelp.Asked(args))
{
    Console.WriteLine(HubHelp.Text);
    return 0;
}

try
{
    var builder = HubHost.CreateBuilder(args);
    builder.AddHub();

    var app = builder.Build();
    app.MapHub();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // A refused start-up (a missing file, a damaged audit log, development keys in Production) says
    // what to fix, without a stack trace.
    Console.Error.WriteLine("afx-hub could not start: " + HubHost.Describe(ex));
    return 1;
}

/// <summary>Entry point, visible to the functional tests that host the hub in-process.</summary>
public partial class Program;
