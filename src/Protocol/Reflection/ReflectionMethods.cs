using AntiFraud.Exchange.Protocol.Wire;

namespace AntiFraud.Exchange.Protocol.Reflection;

/// <summary>The methods of grpc.reflection.v1 and its older twin v1alpha.</summary>
public static class ReflectionMethods
{
    public static readonly Method<Grpc.Reflection.V1.ServerReflectionRequest, Grpc.Reflection.V1.ServerReflectionResponse> V1Info =
        new(MethodType.DuplexStreaming, "grpc.reflection.v1.ServerReflection", "ServerReflectionInfo");

    public static readonly Method<Grpc.Reflection.V1Alpha.ServerReflectionRequest, Grpc.Reflection.V1Alpha.ServerReflectionResponse> V1AlphaInfo =
        new(MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo");
}
