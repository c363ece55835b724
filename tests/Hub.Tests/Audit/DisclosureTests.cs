using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Transparency;
using AntiFraud.Exchange.TestSupport;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>
/// Authorised disclosure on the real hub and audit log. Break-glass: one auditor asks, nothing is shown until a second auditor
/// approves (the requester cannot approve itself), then only the requester sees the exchange in clear, and the exchange's owners list
/// the disclosure and find it in the log. Commitments: a party opens the body it sent, the recipient the body delivered to it, an
/// auditor only with an approved disclosure; the opening verifies offline, and a changed body does not.
/// </summary>
public sealed class DisclosureTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();
    private Partner _police = null!;
    private Partner _bank = null!;
    private Partner _auditor = null!;
    private Partner _second = null!;

    public async Task InitializeAsync()
    {
        await _hub.InitializeAsync();
        _police = new Partner(_hub, "police-shenzhen");
        _bank = new Partner(_hub, "bank-alpha");
        _auditor = new Partner(_hub, "auditor-national");
        _second = new Partner(_hub, "auditor-provincial");
    }

    public async Task DisposeAsync()
    {
        foreach (var p in new[] { _police, _bank, _auditor, _second })
        {
            p.Dispose();
        }

        await _hub.DisposeAsync();
    }

    private static IReadOnlyList<ECDsa> LogKeys => SignedCheckpoint.ReadPublicKeys(File.ReadAllText(Path.Combine(DevPki.CertsDir, "audit",
        "log-signing.pub")));

    [Fact]
    public async Task BreakGlass_NeedsASecondAuditor_OnlyTheRequesterSeesClearData_AndTheOwnersSeeThatItHappened()
    {
        var id = (await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000094001", 100_00))).ExchangeId;
        var asked = await _auditor.Audit.RequestDisclosureAsync(new RequestDisclosureRequest
        {
            ExchangeId = id,
            Reason = "court order (2026) 0305 Xing Chu 123",
        });
        Assert.Equal(DisclosureState.Pending, asked.State);

        var early = await Assert.ThrowsAsync<RpcException>(() => _auditor.Audit.DiscloseAsync(new DiscloseRequest { DisclosureId = asked.DisclosureId })
            .ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Contains("a second auditor must approve", early.Status.Detail, StringComparison.Ordinal);
        var self = await Assert.ThrowsAsync<RpcException>(() => _auditor.Audit.DecideDisclosureAsync(new DecideDisclosureRequest
        {
            DisclosureId = asked.DisclosureId,
            Approve = true,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, self.StatusCode);
        var bank = await Assert.ThrowsAsync<RpcException>(() => _bank.Audit.RequestDisclosureAsync(new RequestDisclosureRequest
        {
            ExchangeId = id,
            Reason = "a bank may not",
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);

        var approved = await _second.Audit.DecideDisclosureAsync(new DecideDisclosureRequest { DisclosureId = asked.DisclosureId, Approve = true });
        Assert.Equal(DisclosureState.Approved, approved.State);
        Assert.Equal("auditor-provincial", approved.DecidedBy.Id);
        var notTheirs = await Assert.ThrowsAsync<RpcException>(() => _second.Audit.DiscloseAsync(new DiscloseRequest
        {
            DisclosureId = asked.DisclosureId,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notTheirs.StatusCode);

        var disclosed = await _auditor.Audit.DiscloseAsync(new DiscloseRequest { DisclosureId = asked.DisclosureId });
        Assert.Equal("6222000000094001", disclosed.Record.Request.Freeze.Account.AccountNumber);

        // The owners see it; a partner with no part in the exchange does not.
        foreach (var owner in new[] { _police, _bank })
        {
            var listed = Assert.Single((await owner.Audit.ListDisclosuresAsync(new ListDisclosuresRequest())).Disclosures,
                d => d.DisclosureId == asked.DisclosureId);
            Assert.Equal(DisclosureState.Approved, listed.State);
            Assert.Empty(listed.Record?.ExchangeId ?? string.Empty);
        }

        using var guangzhou = new Partner(_hub, "police-guangzhou");
        Assert.DoesNotContain((await guangzhou.Audit.ListDisclosuresAsync(new ListDisclosuresRequest())).Disclosures,
            d => d.DisclosureId == asked.DisclosureId);
        var entries = (await _auditor.Audit.QueryAsync(new AuditQueryRequest { ExchangeId = id, Kinds = { AuditEventKind.Disclosure } })).Entries;
        Assert.Contains(entries, e => e.Subject?.Id == "bank-alpha" && e.Detail.Contains("approved", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Subject?.Id == "police-shenzhen" && e.Detail.Contains("disclosed in clear", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Detail.Contains("court order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BreakGlass_AnAuditorCannotPileUpUndecidedRequests()
    {
        var id = (await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000094201", 100_00))).ExchangeId;
        for (var i = 0; i < Compliance.Disclosures.MaxPendingPerAuditor; i++)
        {
            await _auditor.Audit.RequestDisclosureAsync(new RequestDisclosureRequest { ExchangeId = id, Reason = "order " + i });
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => _auditor.Audit.RequestDisclosureAsync(new RequestDisclosureRequest
        {
            ExchangeId = id,
            Reason = "one too many",
        }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);

        // Another auditor is not held back by the first one's backlog.
        Assert.Equal(DisclosureState.Pending, (await _second.Audit.RequestDisclosureAsync(new RequestDisclosureRequest
        {
            ExchangeId = id,
            Reason = "own order",
        })).State);
    }

    [Fact]
    public async Task Commitments_APartyOpensWhatItSentOrReceived_ItVerifiesOffline_AndAChangedBodyDoesNot()
    {
        var submitted = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000094101", 200_00));
        var opening = await _police.Audit.OpenCommitmentAsync(new OpenCommitmentRequest { LeafIndex = submitted.Receipt.LeafIndex });
        Assert.Equal("antifraud.exchange.v1.SubmitRequest", opening.BodyType);
        Assert.Equal("6222000000094101", SubmitRequest.Parser.ParseFrom(opening.Body).Request.Freeze.Account.AccountNumber);
        var verified = CommitmentVerifier.Verify(opening, LogKeys);
        Assert.True(verified.Valid, verified.Message);

        var changed = opening.Body.ToByteArray();
        changed[^1] ^= 1;
        Assert.False(CommitmentVerifier.Verify(opening, LogKeys, changed).Valid);
        var otherSalt = opening.Clone();
        otherSalt.Salt = Google.Protobuf.ByteString.CopyFrom(new byte[16]);
        Assert.False(CommitmentVerifier.Verify(otherSalt, LogKeys).Valid);

        // The bank may not open the police's submission (it got a masked delivery), but it may open that delivery.
        var refused = await Assert.ThrowsAsync<RpcException>(() => _bank.Audit.OpenCommitmentAsync(new OpenCommitmentRequest
        {
            LeafIndex = submitted.Receipt.LeafIndex,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        AuditEntry? delivered = null;
        using (var stream = _bank.Inbox.Subscribe(new SubscribeRequest()))
        {
            Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(submitted.ExchangeId, stream.ResponseStream.Current.ExchangeId);
            // Delivery is recorded after the item is written: ask the log until it is there (bounded by count).
            for (var look = 0; look < 100 && delivered is null; look++)
            {
                delivered = (await _auditor.Audit.QueryAsync(new AuditQueryRequest
                {
                    ExchangeId = submitted.ExchangeId,
                    Kinds = { AuditEventKind.Delivered },
                })).Entries.FirstOrDefault();
                if (delivered is null)
                {
                    await Task.Delay(100);
                }
            }
        }

        Assert.NotNull(delivered);
        var delivery = await _bank.Audit.OpenCommitmentAsync(new OpenCommitmentRequest { LeafIndex = delivered.Index });
        Assert.True(CommitmentVerifier.Verify(delivery, LogKeys).Valid);
        Assert.Equal("antifraud.exchange.v1.InboxItem", delivery.BodyType);

        // Without knowing the indexes: the bank gets exactly what was delivered to it, the police what it sent and was delivered.
        var banks = await _bank.Audit.OpenExchangeCommitmentsAsync(new OpenExchangeCommitmentsRequest { ExchangeId = submitted.ExchangeId });
        Assert.Equal([delivered.Index], banks.Openings.Select(o => o.Proof.LeafIndex));
        var polices = await _police.Audit.OpenExchangeCommitmentsAsync(new OpenExchangeCommitmentsRequest { ExchangeId = submitted.ExchangeId });
        Assert.Contains(polices.Openings, o => o.Proof.LeafIndex == submitted.Receipt.LeafIndex);
        Assert.All(polices.Openings, o => Assert.True(CommitmentVerifier.Verify(o, LogKeys).Valid));
        using var guangzhou = new Partner(_hub, "police-guangzhou");
        var stranger = await Assert.ThrowsAsync<RpcException>(() => guangzhou.Audit.OpenExchangeCommitmentsAsync(
            new OpenExchangeCommitmentsRequest { ExchangeId = submitted.ExchangeId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);

        // An auditor needs an approved disclosure of the exchange.
        var auditor = await Assert.ThrowsAsync<RpcException>(() => _auditor.Audit.OpenCommitmentAsync(new OpenCommitmentRequest
        {
            LeafIndex = submitted.Receipt.LeafIndex,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, auditor.StatusCode);
        var asked = await _auditor.Audit.RequestDisclosureAsync(new RequestDisclosureRequest { ExchangeId = submitted.ExchangeId, Reason = "court order" });
        await _second.Audit.DecideDisclosureAsync(new DecideDisclosureRequest { DisclosureId = asked.DisclosureId, Approve = true });
        var byAuditor = await _auditor.Audit.OpenCommitmentAsync(new OpenCommitmentRequest
        {
            LeafIndex = submitted.Receipt.LeafIndex,
            DisclosureId = asked.DisclosureId,
        });
        Assert.True(CommitmentVerifier.Verify(byAuditor, LogKeys).Valid);
    }

    [Fact]
    public async Task Commitments_ABodyLeftUnderAnIndexByAnotherEntry_IsNeverOpened()
    {
        // The store and the log are restored from backups separately: an index the log has reused may still hold the body its
        // earlier entry had. Such a body must not be handed out as the opening of the entry that has the index now.
        var submitted = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000094201", 300_00));
        var acked = await _bank.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        var log = _hub.Services.GetRequiredService<AuditLog>();
        var evidence = _hub.Services.GetRequiredService<IEvidenceStore>();
        var leftOver = new SubmitRequest { Request = new Request { Freeze = new FreezeNotice { Account = new AccountRef { AccountNumber = "6222000000094299" } } } };
        var ackIndex = (long)acked.Receipt.LeafIndex;
        var submitIndex = (long)submitted.Receipt.LeafIndex;
        await evidence.SaveBodiesAsync(log.Origin,
        [
            // Under the acknowledgement's entry, which commits to no body; and over the submission's own body.
            new CommittedBody(ackIndex, submitted.ExchangeId, log.Salt(ackIndex), SubmitRequest.Descriptor.FullName, leftOver.ToByteArray()),
            new CommittedBody(submitIndex, submitted.ExchangeId, log.Salt(submitIndex), SubmitRequest.Descriptor.FullName, leftOver.ToByteArray()),
        ], CancellationToken.None);

        foreach (var (partner, index) in new[] { (_bank, ackIndex), (_police, submitIndex) })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => partner.Audit.OpenCommitmentAsync(new OpenCommitmentRequest
            {
                LeafIndex = (ulong)index,
            }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, refused.StatusCode);
            Assert.Contains($"no body is kept for entry {index}", refused.Status.Detail, StringComparison.Ordinal);
        }

        var none = await Assert.ThrowsAsync<RpcException>(() => _police.Audit.OpenExchangeCommitmentsAsync(
            new OpenExchangeCommitmentsRequest { ExchangeId = submitted.ExchangeId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
        Assert.Contains("may open 1 entries of", none.Status.Detail, StringComparison.Ordinal);
    }
}
