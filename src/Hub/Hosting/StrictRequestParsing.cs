using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// Binds every gRPC service the hub maps (its own, health, reflection) as grpc-dotnet's default binder
/// does, from the generated BindService method, with one difference: a request that is not valid
/// protobuf for its message type is answered INVALID_ARGUMENT naming the type, instead of the UNKNOWN
/// "Exception was thrown by handler" a parse exception would otherwise become.
/// </summary>
internal static class StrictRequestParsing
{
    /// <summary>Replaces grpc-dotnet's default service binder (call after AddGrpc).</summary>
    public static IServiceCollection AddStrictRequestParsing(this IServiceCollection services)
    {
        var defaults = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToList();
        if (defaults.Count != 1)
        {
            throw new InvalidOperationException("grpc-dotnet's default service binder was not found: call AddStrictRequestParsing after AddGrpc.");
        }

        services.Remove(defaults[0]);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(StrictServiceMethodProvider<>));
        return services;
    }

    /// <summary>The request marshaller, with parse failures as INVALID_ARGUMENT.</summary>
    internal static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var deserialize = method.RequestMarshaller.ContextualDeserializer;
        var requests = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return deserialize(context);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"request: not a valid {typeof(TRequest).Name} message ({ex.Message})"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }
}
