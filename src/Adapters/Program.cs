using AntiFraud.Exchange.Adapters;

return await BridgeCommands.RunAsync(args);
