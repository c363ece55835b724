using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>The services the server exposes, by descriptor; reflection and health read it.</summary>
public sealed class GrpcServiceCatalog
{
    private readonly List<ServiceDescriptor> _services = [];

    public IReadOnlyList<ServiceDescriptor> Services => _services;

    internal void Add(ServiceDescriptor service) => _services.Add(service);
}

/// <summary>
/// Terminal middleware for gRPC: one dictionary lookup from :path to the method's handler. Unknown
/// gRPC paths get UNIMPLEMENTED; other requests pass on.
/// </summary>
internal sealed class GrpcDispatcher
{
    private readonly FrozenDictionary<string, ServerMethodHandler> _handlers;
    private readonly FrozenSet<string> _services;
    private readonly GrpcServerRuntime _runtime;

    public GrpcDispatcher(IEnumerable<IGrpcService> services, GrpcServerRuntime runtime, GrpcServiceCatalog catalog)
    {
        _runtime = runtime;
        var handlers = new Dictionary<string, ServerMethodHandler>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var descriptor = service.Descriptor;
            if (!names.Add(descriptor.FullName))
            {
                throw new InvalidOperationException($"Service {descriptor.FullName} is registered twice.");
            }

            var bound = new List<ServerMethodHandler>();
            service.Bind(new ServiceBinder(descriptor, bound.Add));
            foreach (var handler in bound)
            {
                if (!handlers.TryAdd(handler.Method.FullName, handler))
                {
                    throw new InvalidOperationException($"Method {handler.Method.FullName} is bound twice.");
                }
            }

            foreach (var declared in descriptor.Methods)
            {
                if (!bound.Any(h => h.Method.Name == declared.Name))
                {
                    GrpcServerLog.MethodUnbound(runtime.Logger, descriptor.FullName, declared.Name);
                }
            }

            catalog.Add(descriptor);
            GrpcServerLog.ServiceBound(runtime.Logger, descriptor.FullName, bound.Count);
        }

        _handlers = handlers.ToFrozenDictionary(StringComparer.Ordinal);
        _services = names.ToFrozenSet(StringComparer.Ordinal);
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is not null && _handlers.TryGetValue(path, out var handler))
        {
            return handler.HandleAsync(context, _runtime);
        }

        if (!GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
        {
            return next(context);
        }

        RespondUnimplemented(context, path ?? string.Empty);
        return Task.CompletedTask;
    }

    private void RespondUnimplemented(HttpContext context, string path)
    {
        GrpcServerLog.UnknownMethod(_runtime.Logger, path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var slash = path.LastIndexOf('/');
        var service = slash > 0 ? path[1..slash] : path.TrimStart('/');
        var detail = _services.Contains(service)
            ? $"Method '{path[(slash + 1)..]}' of service '{service}' is not implemented."
            : $"Service '{service}' is unknown.";
        context.Response.ContentType = GrpcProtocol.ContentType;
        context.Response.Headers[GrpcProtocol.StatusTrailer] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(detail);
    }
}
