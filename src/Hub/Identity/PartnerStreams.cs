using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// The open Subscribe and Watch streams, with the certificate each was opened with. A unary call is
/// authenticated when it arrives; a stream lives on, so its partner is checked again before every
/// message it is sent, and every open stream is checked as soon as the registry or the CRL changes.
/// A revoked or disabled partner's stream ends UNAUTHENTICATED and is sent nothing more. When the hub
/// stops, open streams end UNAVAILABLE so their clients reconnect (elsewhere, or once it is back).
/// </summary>
internal sealed class PartnerStreams
{
    private readonly ConcurrentDictionary<Session, byte> _open = new();
    private readonly PartnerAuthenticator _authenticator;
    private readonly IAuditSink _audit;
    private readonly CancellationToken _stopping;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Presence> _presence = new(StringComparer.Ordinal);

    public PartnerStreams(PartnerAuthenticator authenticator, PartnerRegistry registry, CrlStore crl, IAuditSink audit,
        IHostApplicationLifetime lifetime, TimeProvider time)
    {
        _time = time;
        _authenticator = authenticator;
        _audit = audit;
        _stopping = lifetime.ApplicationStopping;
        registry.Changed += Recheck;
        crl.Changed += Recheck;
    }

    /// <summary>Open streams (for operators and tests).</summary>
    public int Count => _open.Count;

    /// <summary>
    /// Every partner that has had a stream open since the hub started: how many it has open now, and since when it has had none
    /// (null while one is open). For the operations metrics: a bank whose inbox stream stays down is an alert.
    /// </summary>
    public IEnumerable<(string Partner, int Open, DateTimeOffset? NoneSince)> Presences() =>
        _presence.Select(p => (p.Key, p.Value.Open, p.Value.Open > 0 ? null : p.Value.LastEnded));

    private sealed class Presence
    {
        public int Open;
        public DateTimeOffset? LastEnded;
    }

    /// <summary>Runs a stream handler with a writer that re-checks the partner before each message, and a token cancelled when it is cut
    /// off.</summary>
    public async Task RunAsync<T>(ServerCallContext context, IAsyncStreamWriter<T> writer, Func<IAsyncStreamWriter<T>, CancellationToken,
        Task> run)
    {
        var session = new Session(this, context.GetHttpContext().Connection.ClientCertificate, context.Caller());
        _open.TryAdd(session, 0);
        var presence = _presence.GetOrAdd(session.Partner.Id, static _ => new Presence());
        Interlocked.Increment(ref presence.Open);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.CutOff, _stopping);
            await run(new CheckedWriter<T>(writer, session), linked.Token);
        }
        catch (OperationCanceledException) when (session.Refusal is not null && !context.CancellationToken.IsCancellationRequested)
        {
            throw await EndedAsync(session);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                "The hub is shutting down; reconnect shortly (or to another replica)."));
        }
        finally
        {
            presence.LastEnded = _time.GetUtcNow();
            Interlocked.Decrement(ref presence.Open);
            _open.TryRemove(session, out _);
            session.Dispose();
        }
    }

    /// <summary>Checks every open stream against the registry and the CRL now in force.</summary>
    public void Recheck()
    {
        foreach (var session in _open.Keys)
        {
            session.Check();
        }
    }

    private async Task<RpcException> EndedAsync(Session session)
    {
        await _audit.RecordAsync(new AuditEvent(AuditEventKind.Denied, session.Partner.ToRef(), "open stream ended: " + session.Refusal),
            CancellationToken.None);
        return new RpcException(new Status(StatusCode.Unauthenticated,
            $"Client certificate refused: {session.Refusal}. The stream was ended."));
    }

    private sealed class Session(PartnerStreams owner, X509Certificate2? certificate, PartnerIdentity partner) : IDisposable
    {
        private readonly CancellationTokenSource _cutOff = new();

        public PartnerIdentity Partner { get; } = partner;

        public CancellationToken CutOff => _cutOff.Token;

        public string? Refusal { get; private set; }

        /// <summary>False (and the stream's token cancelled) once the partner is refused.</summary>
        public bool Check()
        {
            if (Refusal is not null)
            {
                return false;
            }

            var result = owner._authenticator.Authenticate(certificate);
            if (result.Succeeded && result.Partner == Partner)
            {
                return true;
            }

            Refusal = result.Refusal ?? "the certificate now names another partner";
            try
            {
                _cutOff.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream already ended.
            }

            return false;
        }

        public async Task<RpcException> EndedAsync() => await owner.EndedAsync(this);

        public void Dispose() => _cutOff.Dispose();
    }

    private sealed class CheckedWriter<T>(IAsyncStreamWriter<T> inner, Session session) : IAsyncStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (!session.Check())
            {
                throw await session.EndedAsync();
            }

            await inner.WriteAsync(message, cancellationToken);
        }
    }
}
