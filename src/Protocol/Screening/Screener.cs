using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;

namespace AntiFraud.Exchange.Protocol.Screening;

/// <summary>A hit: the value is listed, with what its sealed details say.</summary>
public sealed record ScreeningHit(string Value, ScreeningDetails Details);

/// <summary>
/// A partner's side of list screening for one kind: keeps the published screening set in step (only the changes since its
/// version), has values it holds evaluated by the hub through the blinded OPRF (never sending a value), caches each value's
/// output, and matches locally. A hit opens the entry's sealed details. Thread-safe.
/// </summary>
public sealed class Screener(RiskListsClient client, ListKind kind)
{
    private readonly ConcurrentDictionary<string, byte[]> _sealedByOutput = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _outputs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sync = new(1, 1);
    private ulong _version;
    private string? _publicKey;

    public ListKind Kind => kind;

    /// <summary>The version of the set this screener holds.</summary>
    public ulong Version => Interlocked.Read(ref _version);

    /// <summary>How many entries the set holds.</summary>
    public int Count => _sealedByOutput.Count;

    /// <summary>Brings the set up to date; a changed hub key starts it over (and forgets every cached output).</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var set = await client.GetScreeningSetAsync(new GetScreeningSetRequest { Kind = kind, AfterVersion = _version },
                    new CallOptions(cancellationToken: cancellationToken));
                var key = Convert.ToHexString(set.PublicKey.Span);
                if (_publicKey is not null && key != _publicKey)
                {
                    _sealedByOutput.Clear();
                    _outputs.Clear();
                    Interlocked.Exchange(ref _version, 0);
                    _publicKey = key;
                    continue;
                }

                _publicKey = key;
                foreach (var entry in set.Entries)
                {
                    var output = Convert.ToHexString(entry.Output.Span);
                    if (entry.Removed)
                    {
                        _sealedByOutput.TryRemove(output, out _);
                    }
                    else
                    {
                        _sealedByOutput[output] = entry.Sealed.ToByteArray();
                    }
                }

                var before = Interlocked.Exchange(ref _version, set.Version);
                if (set.Entries.Count == 0 || set.Version == before)
                {
                    return;
                }
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>Screens values this partner holds: each value not yet cached costs one evaluation at the hub (in one call).</summary>
    public async Task<IReadOnlyList<ScreeningHit?>> ScreenAsync(IReadOnlyList<string> values, CancellationToken cancellationToken = default)
    {
        var normalized = values.Select(v => ListValues.Normalize(kind, v)).ToList();
        var missing = normalized.OfType<string>().Distinct(StringComparer.Ordinal).Where(v => !_outputs.ContainsKey(v)).ToList();
        if (missing.Count > 0)
        {
            var blinds = missing.Select(v => Oprf.Blind(kind, v)).ToList();
            var request = new EvaluateRequest { Kind = kind };
            request.Blinded.AddRange(blinds.Select(b => Google.Protobuf.ByteString.CopyFrom(b.Blinded)));
            var reply = await client.EvaluateAsync(request, new CallOptions(cancellationToken: cancellationToken));
            for (var i = 0; i < missing.Count; i++)
            {
                _outputs[missing[i]] = Oprf.Finalize(kind, missing[i], blinds[i].Blind, reply.Evaluated[i].Span);
            }
        }

        return [.. normalized.Select(v => v is null ? null : Match(v))];
    }

    public async Task<ScreeningHit?> ScreenAsync(string value, CancellationToken cancellationToken = default) =>
        (await ScreenAsync([value], cancellationToken))[0];

    /// <summary>A value whose output is cached: matched locally, no call to the hub (null when not cached or not listed).</summary>
    public ScreeningHit? ScreenCached(string value) =>
        ListValues.Normalize(kind, value) is { } v && _outputs.ContainsKey(v) ? Match(v) : null;

    private ScreeningHit? Match(string value)
    {
        var output = _outputs[value];
        return _sealedByOutput.TryGetValue(Convert.ToHexString(output), out var sealedBytes)
            ? new ScreeningHit(value, ScreeningDetails.Parser.ParseFrom(Oprf.Open(output, sealedBytes)))
            : null;
    }
}
