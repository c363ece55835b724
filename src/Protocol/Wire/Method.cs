using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Wire;

public enum MethodType
{
    Unary,
    ServerStreaming,
    ClientStreaming,
    DuplexStreaming,
}

/// <summary>A method of a gRPC service, untyped view.</summary>
public interface IMethod
{
    MethodType Type { get; }

    /// <summary>The fully qualified service name, for example <c>antifraud.exchange.v1.Exchange</c>.</summary>
    string ServiceName { get; }

    string Name { get; }

    /// <summary>The HTTP/2 :path, <c>/service/method</c>.</summary>
    string FullName { get; }

    Google.Protobuf.Reflection.MessageDescriptor RequestDescriptor { get; }

    Google.Protobuf.Reflection.MessageDescriptor ResponseDescriptor { get; }
}

/// <summary>A method of a gRPC service with its message types. The client and the server share one instance.</summary>
public sealed class Method<TRequest, TResponse> : IMethod
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public Method(MethodType type, string serviceName, string name)
    {
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestParser = new MessageParser<TRequest>(() => new TRequest());
        ResponseParser = new MessageParser<TResponse>(() => new TResponse());
    }

    public MethodType Type { get; }

    public string ServiceName { get; }

    public string Name { get; }

    public string FullName { get; }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }

    public Google.Protobuf.Reflection.MessageDescriptor RequestDescriptor => new TRequest().Descriptor;

    public Google.Protobuf.Reflection.MessageDescriptor ResponseDescriptor => new TResponse().Descriptor;

    public override string ToString() => FullName;
}

/// <summary>Checks method definitions against the service descriptors generated from protos/.</summary>
public static class MethodValidator
{
    /// <summary>Throws when a method does not exist in the service, or its types or streaming kind differ.</summary>
    public static void Validate(Google.Protobuf.Reflection.ServiceDescriptor service, IMethod method)
    {
        if (!string.Equals(service.FullName, method.ServiceName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Method {method.FullName} is bound to service {service.FullName}, but names service {method.ServiceName}.");
        }

        var declared = service.FindMethodByName(method.Name)
            ?? throw new InvalidOperationException(
                $"Service {service.FullName} in {service.File.Name} declares no method {method.Name}; the handler for {method.FullName} does not match the proto.");

        var expectedType = (declared.IsClientStreaming, declared.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        if (expectedType != method.Type)
        {
            throw new InvalidOperationException(
                $"{method.FullName} is bound as {method.Type}, but the proto declares it {expectedType}.");
        }

        if (declared.InputType.FullName != method.RequestDescriptor.FullName)
        {
            throw new InvalidOperationException(
                $"{method.FullName} takes {method.RequestDescriptor.FullName}, but the proto declares {declared.InputType.FullName}.");
        }

        if (declared.OutputType.FullName != method.ResponseDescriptor.FullName)
        {
            throw new InvalidOperationException(
                $"{method.FullName} returns {method.ResponseDescriptor.FullName}, but the proto declares {declared.OutputType.FullName}.");
        }
    }
}
