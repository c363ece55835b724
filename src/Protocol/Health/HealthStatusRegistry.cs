using System.Collections.Concurrent;
using AntiFraud.Exchange.Protocol.Wire.Server;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AntiFraud.Exchange.Protocol.Health;

/// <summary>The serving status of the server ("") and of each service, with change notification for Watch.</summary>
public sealed class HealthStatusRegistry
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    public void SetStatus(string service, ServingStatus status)
    {
        _statuses[service] = status;
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    public bool TryGetStatus(string service, out ServingStatus status) => _statuses.TryGetValue(service, out status);

    public IReadOnlyDictionary<string, ServingStatus> Snapshot() => new Dictionary<string, ServingStatus>(_statuses);

    /// <summary>Completes at the next status change of any service.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            changed = _changed.Task;
        }

        return changed.WaitAsync(cancellationToken);
    }

    internal void MarkAllServing(GrpcServiceCatalog catalog)
    {
        SetStatus(string.Empty, ServingStatus.Serving);
        foreach (var service in catalog.Services)
        {
            SetStatus(service.FullName, ServingStatus.Serving);
        }
    }

    /// <summary>Everything NOT_SERVING: the server is draining.</summary>
    public void MarkAllNotServing()
    {
        foreach (var key in _statuses.Keys)
        {
            SetStatus(key, ServingStatus.NotServing);
        }
    }
}
