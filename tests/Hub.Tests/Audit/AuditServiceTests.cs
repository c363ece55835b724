using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Transparency;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>Through the hub: a police receipt proves itself against a checkpoint the police centre verifies with the hub's public key.</summary>
public sealed class AuditServiceTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();
    private Partner _police = null!;
    private Partner _bank = null!;
    private Partner _auditor = null!;

    public async Task InitializeAsync()
    {
        await _hub.InitializeAsync();
        _police = new Partner(_hub, "police-shenzhen");
        _bank = new Partner(_hub, "bank-alpha");
        _auditor = new Partner(_hub, "auditor-national");
    }

    public async Task DisposeAsync()
    {
        _police.Dispose();
        _bank.Dispose();
        _auditor.Dispose();
        await _hub.DisposeAsync();
    }

    private static ECDsa HubKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(DevPki.CertsDir, "audit", "log-signing.pub")));
        return key;
    }

    [Fact]
    public async Task SubmitReceipt_ProvesInclusion_AgainstAVerifiedCheckpoint_AndTheLogOnlyGrows()
    {
        var submitted = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000007001", 100_00, caseRef: Requests.Case("SZ-AUDIT")));
        Assert.NotNull(submitted.Receipt);

        var checkpoint = await _police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });
        using var key = HubKey();
        var body = SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key);
        var proof = await _police.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = submitted.Receipt.LeafIndex, TreeSize = (ulong)body.Size });
        Assert.True(MerkleVerifier.VerifyInclusion((long)submitted.Receipt.LeafIndex, body.Size, submitted.Receipt.LeafHash.Span,
            proof.Hashes.Select(h => h.ToByteArray()).ToList(), body.RootHash));

        var answer = await _bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) });
        Assert.True(answer.Receipt.LeafIndex > submitted.Receipt.LeafIndex);
        var later = SignedCheckpoint.Verify((await _bank.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true })).SignedNote, checkpoint.Origin, key);
        var consistency = await _bank.Audit.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = (ulong)body.Size, SecondSize = (ulong)later.Size });
        Assert.True(MerkleVerifier.VerifyConsistency(body.Size, later.Size, body.RootHash, later.RootHash, consistency.Hashes.Select(h => h.ToByteArray()).ToList()));
    }

    [Fact]
    public async Task AuditorQueriesACase_FindsEachStep_WithoutClearPersonalData_AndPoliceMayNotQuery()
    {
        var submitted = await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000007002", 100_00, caseRef: Requests.Case("SZ-AUDIT-Q")));
        await _bank.Inbox.AckAsync(new AckRequest { ExchangeId = submitted.ExchangeId });
        await _bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = submitted.ExchangeId, Result = Requests.Executed(100_00) });

        var found = await _auditor.Audit.QueryAsync(new AuditQueryRequest { CaseNumber = "SZ-AUDIT-Q" });
        var kinds = found.Entries.Select(e => e.Kind).ToList();
        Assert.Contains(AuditEventKind.Submitted, kinds);
        Assert.Contains(AuditEventKind.Acknowledged, kinds);
        Assert.Contains(AuditEventKind.Answered, kinds);
        Assert.All(found.Entries, e => Assert.DoesNotContain("李小梅", e.ToString(), StringComparison.Ordinal));
        Assert.All(found.Entries.Where(e => e.Kind == AuditEventKind.Submitted), e => Assert.Equal(32, e.BodyCommitment.Length));

        var denied = await Assert.ThrowsAsync<RpcException>(() => _police.Audit.QueryAsync(new AuditQueryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task AuditorQuery_PagesThroughTheLog_WithoutRepeatsOrGaps()
    {
        for (var i = 0; i < 5; i++)
        {
            await _police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "62220000000080" + i, 100_00, caseRef: Requests.Case("SZ-PAGES")));
        }

        var seen = new List<ulong>();
        var token = string.Empty;
        do
        {
            var page = await _auditor.Audit.QueryAsync(new AuditQueryRequest { CaseNumber = "SZ-PAGES", Kinds = { AuditEventKind.Submitted }, PageSize = 2, PageToken = token });
            Assert.True(page.Entries.Count <= 2);
            seen.AddRange(page.Entries.Select(e => e.Index));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(5, seen.Distinct().Count());
    }
}
