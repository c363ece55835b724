using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests;

/// <summary>An in-process hub on a manual clock with a recording audit sink, and its partners over mTLS, one channel each.</summary>
public sealed class ClockedHub : IAsyncDisposable
{
    private readonly Dictionary<string, Partner> _partners = [];

    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public RecordingAuditSink Audit { get; } = new();

    public HubFixture Hub { get; } = new();

    public Task StartAsync(params string[] settings) =>
        Hub.StartAsync(HubFixture.Build(s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton<IAuditSink>(Audit);
        }, settings));

    /// <summary>The partner's connection (its dev certificate), opened on first use.</summary>
    public Partner As(string id)
    {
        lock (_partners)
        {
            if (!_partners.TryGetValue(id, out var partner))
            {
                _partners[id] = partner = new Partner(Hub, id);
            }

            return partner;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _partners.Values)
        {
            p.Dispose();
        }

        await Hub.DisposeAsync();
    }
}
