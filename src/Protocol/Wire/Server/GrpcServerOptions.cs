namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>Settings of the server side of the wire layer.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, in bytes; larger gets RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; larger ends the call with RESOURCE_EXHAUSTED. Default 16 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Put exception messages of unexpected handler failures into grpc-message. Off: they could leak data.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// The clock of call deadlines (grpc-timeout). Kept apart from the application's TimeProvider so an
    /// application running on a simulated clock still times out calls in real time.
    /// </summary>
    public TimeProvider DeadlineClock { get; set; } = TimeProvider.System;
}
