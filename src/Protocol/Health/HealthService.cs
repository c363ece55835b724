using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AntiFraud.Exchange.Protocol.Health;

/// <summary>grpc.health.v1.Health: the empty name is the whole server; unknown names are NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch).</summary>
internal sealed class HealthService(HealthStatusRegistry registry) : IGrpcService
{
    public ServiceDescriptor Descriptor => HealthReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Health");

    public void Bind(ServiceBinder binder) => binder
        .Unary(HealthMethods.Check, CheckAsync)
        .Unary(HealthMethods.List, ListAsync)
        .ServerStreaming(HealthMethods.Watch, WatchAsync);

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        if (!registry.TryGetStatus(request.Service, out var status))
        {
            throw new RpcException(StatusCode.NotFound, $"Service '{request.Service}' is unknown to this server.");
        }

        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private Task<HealthListResponse> ListAsync(HealthListRequest request, ServerCallContext context)
    {
        var response = new HealthListResponse();
        foreach (var (name, status) in registry.Snapshot())
        {
            response.Statuses[name] = new HealthCheckResponse { Status = status };
        }

        return Task.FromResult(response);
    }

    private async Task WatchAsync(HealthCheckRequest request, IAsyncStreamWriter<HealthCheckResponse> stream, ServerCallContext context)
    {
        ServingStatus? sent = null;
        var token = context.CancellationToken;
        while (!token.IsCancellationRequested)
        {
            var changed = registry.WaitForChangeAsync(token);
            var status = registry.TryGetStatus(request.Service, out var s) ? s : ServingStatus.ServiceUnknown;
            if (status != sent)
            {
                await stream.WriteAsync(new HealthCheckResponse { Status = status }, token);
                sent = status;
            }

            await changed;
        }
    }
}
