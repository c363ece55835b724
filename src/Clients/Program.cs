using AntiFraud.Exchange.Clients;

return await Afx.RunAsync(args);
