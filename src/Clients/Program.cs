using AntiFraud.Exchange.Clients.Cli;

return await AfxCommand.RunAsync(args);
