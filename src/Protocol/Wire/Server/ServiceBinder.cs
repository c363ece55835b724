using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>A service the wire layer serves: names its descriptor and binds a handler per method.</summary>
public interface IGrpcService
{
    /// <summary>The service as generated from protos/; every bound method is checked against it.</summary>
    ServiceDescriptor Descriptor { get; }

    void Bind(ServiceBinder binder);
}

/// <summary>Collects a service's handlers and checks each against the generated descriptor.</summary>
public sealed class ServiceBinder
{
    private readonly ServiceDescriptor _descriptor;
    private readonly Action<ServerMethodHandler> _add;

    internal ServiceBinder(ServiceDescriptor descriptor, Action<ServerMethodHandler> add)
    {
        _descriptor = descriptor;
        _add = add;
    }

    public ServiceBinder Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.Unary, new ServerMethodHandler<TRequest, TResponse>(method) { Unary = handler });

    public ServiceBinder ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.ServerStreaming, new ServerMethodHandler<TRequest, TResponse>(method) { ServerStreaming = handler });

    public ServiceBinder ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.ClientStreaming, new ServerMethodHandler<TRequest, TResponse>(method) { ClientStreaming = handler });

    public ServiceBinder DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.DuplexStreaming, new ServerMethodHandler<TRequest, TResponse>(method) { DuplexStreaming = handler });

    private ServiceBinder Add(IMethod method, MethodType bindingKind, ServerMethodHandler handler)
    {
        if (method.Type != bindingKind)
        {
            throw new InvalidOperationException($"{method.FullName} is a {method.Type} method but was bound as {bindingKind}.");
        }

        MethodValidator.Validate(_descriptor, method);
        _add(handler);
        return this;
    }
}
