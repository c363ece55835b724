using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Compliance;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Storage;

/// <summary>
/// The retention policy (config/retention.json: 180 days after an exchange ended) erases exactly the personal data it names: an
/// answered exchange of 181 days ago loses every personal value and keeps what happened; one of 179 days, an open one, and a case under
/// a legal hold keep theirs. Holds are placed and released by the case's centre only, with a reason, and audited; so is each purge.
/// Runs on SQLite and on Redis.
/// </summary>
public abstract class RetentionTests : IAsyncLifetime
{
    private readonly ClockedHub _hub = new();

    protected virtual string[] StoreSettings => [];

    public Task InitializeAsync() => _hub.StartAsync(StoreSettings);

    public virtual async Task DisposeAsync() => await _hub.DisposeAsync();

    private RetentionPurger Purger => _hub.Hub.Services.GetRequiredService<RetentionPurger>();

    private async Task<string> AnsweredAsync(string caseNumber, string account)
    {
        var police = _hub.As("police-shenzhen");
        var id = (await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", account, 500_00, caseRef: Requests.Case(caseNumber)))).ExchangeId;
        await _hub.As("bank-alpha").Inbox.RespondAsync(new RespondRequest { ExchangeId = id, Result = Requests.Executed(500_00) });
        return id;
    }

    private async Task<ExchangeRecord> OnlyExchangeAsync(string caseNumber) =>
        (await _hub.As("police-shenzhen").Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = caseNumber })).Exchanges.Single();

    [Fact]
    public async Task Purge_ErasesExactlyWhatThePolicySays_AndALegalHoldKeepsItsCase()
    {
        var police = _hub.As("police-shenzhen");
        await AnsweredAsync("SZ-RET-0001", "6222000000093001");
        await AnsweredAsync("SZ-RET-0002", "6222000000093002");
        await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000093003", 500_00, caseRef: Requests.Case("SZ-RET-0003")));
        var hold = await police.Exchange.SetLegalHoldAsync(new SetLegalHoldRequest
        {
            CaseNumber = "SZ-RET-0002",
            Hold = true,
            Reason = "court order (2026) Yue 0305 Xing Chu 123",
        });
        Assert.True(hold.Held);
        Assert.Contains(_hub.Audit.Events, e => e.Kind == AuditEventKind.LegalHold && e.CaseNumber == "SZ-RET-0002"
            && !e.Detail.Contains("court order", StringComparison.Ordinal));

        _hub.Clock.Advance(TimeSpan.FromDays(179));
        await Purger.PurgeAsync(CancellationToken.None);
        Assert.Equal("6222000000093001", (await OnlyExchangeAsync("SZ-RET-0001")).Request.Freeze.Account.AccountNumber);

        _hub.Clock.Advance(TimeSpan.FromDays(2));
        await Purger.PurgeAsync(CancellationToken.None);
        var erased = await OnlyExchangeAsync("SZ-RET-0001");
        Assert.Equal(ExchangeState.Answered, erased.State);
        Assert.Equal(500_00, erased.Request.Freeze.Amount.MinorUnits);
        Assert.Equal("bank-alpha", erased.Request.Freeze.Account.BankId);
        Assert.Empty(erased.Request.Freeze.Account.AccountNumber);
        Assert.Empty(erased.Request.Freeze.Account.AccountName);
        Assert.Empty(erased.Request.Freeze.Victim.Name);
        Assert.Empty(erased.Request.Freeze.Victim.NationalId);
        Assert.Empty(erased.Request.Freeze.Reason);
        Assert.DoesNotContain("6222000000093001", erased.ToString(), StringComparison.Ordinal);
        Assert.Contains(_hub.Audit.Events, e => e.Kind == AuditEventKind.Purged && e.Detail.Contains("erased the personal data of 1 exchanges",
            StringComparison.Ordinal));

        // The held case and the open exchange keep everything.
        var held = await police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-RET-0002" });
        Assert.Equal("6222000000093002", held.Exchanges.Single().Request.Freeze.Account.AccountNumber);
        Assert.True(held.LegalHold.Held);
        Assert.Equal("6222000000093003", (await OnlyExchangeAsync("SZ-RET-0003")).Request.Freeze.Account.AccountNumber);

        // Released, the policy applies again at the next pass.
        await police.Exchange.SetLegalHoldAsync(new SetLegalHoldRequest { CaseNumber = "SZ-RET-0002", Hold = false, Reason = "case closed by the court" });
        await Purger.PurgeAsync(CancellationToken.None);
        Assert.Empty((await OnlyExchangeAsync("SZ-RET-0002")).Request.Freeze.Account.AccountNumber);
        Assert.Null((await police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-RET-0002" })).LegalHold);
        Assert.Equal(2, _hub.Audit.Events.Count(e => e.Kind == AuditEventKind.LegalHold));
    }

    [Fact]
    public async Task Purge_ErasesClosedAlertsRaisedLongerAgoThanThePolicyKeeps_NotOpenOnes()
    {
        var alerts = _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IAlertStore>();
        var closed = await _hub.As("carrier-east").Alerts.RaiseAsync(Alerts.AlertSignals.Calls(Alerts.AlertSignals.Victim("+8613712300001")));
        var open = await _hub.As("carrier-east").Alerts.RaiseAsync(Alerts.AlertSignals.Calls(Alerts.AlertSignals.Victim("+8613712300002")));
        var station = _hub.As("police-sz-futian-shatou");
        await station.Alerts.ClaimAsync(new ClaimAlertRequest { AlertId = closed.AlertId });
        await station.Alerts.ReportOutcomeAsync(new ReportOutcomeRequest
        {
            AlertId = closed.AlertId,
            Outcome = new AlertOutcome { Kind = AlertOutcomeKind.FalsePositive, Note = "the caller was her nephew" },
        });
        Assert.Equal("+8613712300001", (await alerts.GetAsync(closed.AlertId, CancellationToken.None))!.Victim.Person.Phone.E164);
        var evidence = _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IEvidenceStore>();
        await evidence.SaveBodiesAsync("test-log", [new AntiFraud.Exchange.Hub.Storage.CommittedBody(9, closed.AlertId, new byte[16], "x", [1])],
            CancellationToken.None);

        _hub.Clock.Advance(TimeSpan.FromDays(181));
        await Purger.PurgeAsync(CancellationToken.None);
        var erased = (await alerts.GetAsync(closed.AlertId, CancellationToken.None))!;
        Assert.Equal(AlertState.Closed, erased.State);
        Assert.Empty(erased.Victim.Person.Phone.E164);
        Assert.DoesNotContain("nephew", erased.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("13712300001", erased.ToString(), StringComparison.Ordinal);
        Assert.Equal("+8613712300002", (await alerts.GetAsync(open.AlertId, CancellationToken.None))!.Victim.Person.Phone.E164);
        Assert.Null(await evidence.GetBodyAsync("test-log", 9, CancellationToken.None));
    }

    [Fact]
    public async Task Purge_OfAnAnsweredBulkOrder_DeletesItsItemsAndResults()
    {
        var bulk = _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IBulkStore>();
        var order = await Protocol.Clients.BulkTransfer.SendAsync(new Protocol.Clients.BulkOrdersClient(_hub.As("police-shenzhen").Channel),
            Bulk.BulkOrderData.Numbers("carrier-east", 20), after => Bulk.BulkOrderData.Items(after, 20, Bulk.BulkOrderData.NumberItem));
        var answered = await Protocol.Clients.BulkTransfer.AnswerAsync(new Protocol.Clients.BulkOrdersClient(_hub.As("carrier-east").Channel),
            order.OrderId, Bulk.BulkOrderData.Results(Enumerable.Range(1, 20).Select(n => (uint)n)));
        Assert.Equal(ExchangeState.Answered, answered!.State);
        Assert.Equal(20, (await bulk.ReadItemsAsync(order.OrderId, 0, 100, CancellationToken.None)).Count);

        _hub.Clock.Advance(TimeSpan.FromDays(181));
        await Purger.PurgeAsync(CancellationToken.None);
        Assert.Empty(await bulk.ReadItemsAsync(order.OrderId, 0, 100, CancellationToken.None));
        Assert.Empty(await bulk.ReadResultsAsync(order.OrderId, 0, 100, CancellationToken.None));
        Assert.Empty((await bulk.GetAsync(order.OrderId, CancellationToken.None))!.Header.Case.ApprovingOfficer);
    }

    [Fact]
    public async Task Purge_ErasesTheValueOfAListEntryRevokedLongerAgoThanThePolicyKeeps_NotOneThatExpiredLater()
    {
        var lists = _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IListStore>();
        var police = _hub.As("police-shenzhen");
        var publish = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        foreach (var account in new[] { "6222660099880001", "6222660099880002" })
        {
            publish.Add.Add(new ListEntry
            {
                Kind = ListKind.Account,
                Value = "bank-beta:" + account,
                Case = new CaseRef { CaseNumber = "SZ-RET-LIST", LegalBasis = LegalBasis.CriminalInvestigation },
                Confidence = 0.9,
                Reason = "mule account",
                ExpiresAt = Timestamp.FromDateTimeOffset(_hub.Clock.GetUtcNow().AddDays(30)),
            });
        }

        var ids = (await police.Lists.PublishAsync(publish)).AddedEntryIds;
        await police.Lists.PublishAsync(new PublishEntriesRequest { IdempotencyKey = Requests.NewKey(), Revoke = { ids[0] } });

        // Day 181: the revoked entry was removed 181 days ago, the other expired at day 30 (151 days ago).
        for (var day = 0; day < 181; day++)
        {
            _hub.Clock.Advance(TimeSpan.FromDays(1));
        }

        await _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IListStore>().ExpireAsync(_hub.Clock.GetUtcNow(), CancellationToken.None);
        await Purger.PurgeAsync(CancellationToken.None);
        var revoked = (await lists.GetAsync(ids[0], CancellationToken.None))!;
        Assert.Empty(revoked.Value);
        Assert.Empty(revoked.Reason);
        Assert.Equal(ListKind.Account, revoked.Kind);
        Assert.Equal("bank-beta:6222660099880002", (await lists.GetAsync(ids[1], CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task LegalHold_OnlyTheCasesCentre_WithAReason()
    {
        await AnsweredAsync("SZ-RET-0101", "6222000000093101");
        var other = await Assert.ThrowsAsync<RpcException>(() => _hub.As("police-guangzhou").Exchange.SetLegalHoldAsync(new SetLegalHoldRequest
        {
            CaseNumber = "SZ-RET-0101",
            Hold = true,
            Reason = "not our case",
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);

        var noReason = await Assert.ThrowsAsync<RpcException>(() => _hub.As("police-shenzhen").Exchange.SetLegalHoldAsync(
            new SetLegalHoldRequest { CaseNumber = "SZ-RET-0101", Hold = true }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.StartsWith("reason:", noReason.Status.Detail, StringComparison.Ordinal);

        var bank = await Assert.ThrowsAsync<RpcException>(() => new Protocol.Clients.ExchangeClient(_hub.As("bank-alpha").Channel)
            .SetLegalHoldAsync(new SetLegalHoldRequest { CaseNumber = "SZ-RET-0101", Hold = true, Reason = "a bank may not" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);
    }

    [Fact]
    public async Task Purge_DeletesTheCommittedBodies_SoTheCommitmentCanNoLongerBeOpened()
    {
        var police = _hub.As("police-shenzhen");
        var evidence = _hub.Hub.Services.GetRequiredService<AntiFraud.Exchange.Hub.Storage.IEvidenceStore>();
        var id = await AnsweredAsync("SZ-RET-0201", "6222000000093201");
        await evidence.SaveBodiesAsync("test-log", [new AntiFraud.Exchange.Hub.Storage.CommittedBody(7, id, new byte[16], "x", [1, 2, 3])],
            CancellationToken.None);
        Assert.NotNull(await evidence.GetBodyAsync("test-log", 7, CancellationToken.None));

        _hub.Clock.Advance(TimeSpan.FromDays(181));
        await Purger.PurgeAsync(CancellationToken.None);
        Assert.Null(await evidence.GetBodyAsync("test-log", 7, CancellationToken.None));
        Assert.Empty((await police.Exchange.GetCaseAsync(new GetCaseRequest { CaseNumber = "SZ-RET-0201" })).Exchanges.Single().Request.Freeze.Account.AccountNumber);
    }
}

public sealed class SqliteRetentionTests : RetentionTests;

public sealed class RedisRetentionTests : RetentionTests
{
    private readonly TestSupport.RedisServer _redis = TestSupport.RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _redis.Dispose();
    }
}

/// <summary>The retention policy file: mistakes are named, and the shipped file keeps 180 days.</summary>
public sealed class RetentionPolicyTests
{
    [Theory]
    [InlineData("""{ "exchanges": { "keepDaysAfterEnding": 0 } }""", "exchanges.keepDaysAfterEnding")]
    [InlineData("""{ "exchanges": 180 }""", "exchanges: must be an object")]
    [InlineData("""{ "exchnages": { "keepDaysAfterEnding": 180 } }""", "unknown setting 'exchnages'")]
    [InlineData("""{ "batchSize": 1e9 }""", "batchSize")]
    public void Policy_Mistakes_AreNamed(string json, string named)
    {
        var error = Assert.ThrowsAny<Exception>(() => RetentionRules.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_TheShippedFile_Keeps180Days()
    {
        var rules = RetentionRules.Parse(File.ReadAllBytes(Path.Combine(TestSupport.DevPki.RepoRoot, "config", "retention.json")));
        Assert.Equal(TimeSpan.FromDays(180), rules.Exchanges);
        Assert.Equal(TimeSpan.FromDays(180), rules.Alerts);
        Assert.Equal(TimeSpan.FromDays(180), rules.ListEntries);
    }
}
