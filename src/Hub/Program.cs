using AntiFraud.Exchange.Hub.Hosting;

var builder = HubHost.CreateBuilder(args);
builder.AddHub();

var app = builder.Build();
app.MapHub();
app.Run();

/// <summary>Entry point, visible to the functional tests that host the hub in-process.</summary>
public partial class Program;
