namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>Whether the hub runs on the committed development PKI (said loudly at start; refused in Production).</summary>
internal sealed record DevelopmentMaterial(bool InUse);
