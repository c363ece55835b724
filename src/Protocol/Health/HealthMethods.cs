using AntiFraud.Exchange.Protocol.Wire;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Protocol.Health;

/// <summary>The methods of grpc.health.v1.Health.</summary>
public static class HealthMethods
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Check = new(MethodType.Unary, ServiceName, "Check");

    public static readonly Method<HealthListRequest, HealthListResponse> List = new(MethodType.Unary, ServiceName, "List");

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Watch = new(MethodType.ServerStreaming, ServiceName, "Watch");
}
