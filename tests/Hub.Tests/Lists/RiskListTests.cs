using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Alerts;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Screening;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Lists;

/// <summary>Shared risk lists end to end over mTLS: a city centre publishes, a bank screens through the blinded PRF, on a manual
/// clock. Runs on SQLite and on Redis.</summary>
public abstract class RiskListTests : IAsyncLifetime
{
    protected virtual string[] StoreSettings => [];

    private readonly ClockedHub _env = new();

    private Partner As(string id) => _env.As(id);

    public async Task InitializeAsync() => await _env.StartAsync([.. StoreSettings, "--Hub:Lists:EvaluationsPerMinute=200"]);

    public virtual async Task DisposeAsync() => await _env.DisposeAsync();

    private ListEntry Entry(ListKind kind, string value, TimeSpan? life = null) => new()
    {
        Kind = kind,
        Value = value,
        Case = new CaseRef { CaseNumber = "SZ-LIST-0007", LegalBasis = LegalBasis.CriminalInvestigation },
        Reason = "mule account of a fraud ring",
        Confidence = 0.9,
        ExpiresAt = Timestamp.FromDateTimeOffset(_env.Clock.GetUtcNow() + (life ?? TimeSpan.FromDays(30))),
    };

    private async Task<PublishEntriesResponse> Publish(params ListEntry[] entries)
    {
        var request = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        request.Add.AddRange(entries);
        return await As("police-shenzhen").Lists.PublishAsync(request);
    }

    [Fact]
    public async Task ABank_FindsTheListedPayee_OnlyThatOne_AndLearnsTheCaseAndTheAction()
    {
        var published = await Publish(Entry(ListKind.Account, "bank-beta:6222 9900 0000 7777"), Entry(ListKind.Account, "bank-beta:6222990000008888"));
        Assert.Equal(2, published.AddedEntryIds.Count);
        Assert.Contains(_env.Audit.Events, e => e.Kind == AuditEventKind.ListChanged && e.Actor?.Id == "police-shenzhen");

        var screener = new Screener(As("bank-alpha").Lists, ListKind.Account);
        await screener.SyncAsync();
        Assert.Equal(2, screener.Count);
        var hits = await screener.ScreenAsync(["BANK-BETA:6222-9900-0000-7777", "bank-beta:6222990000009999"]);
        Assert.NotNull(hits[0]);
        Assert.Equal("SZ-LIST-0007", hits[0]!.Details.CaseNumber);
        Assert.Equal(ListAction.HoldTransfer, hits[0]!.Details.Action);
        Assert.Equal("police-shenzhen", hits[0]!.Details.Owner.Id);
        Assert.Null(hits[1]);

        // Cached: matched locally, without a call.
        Assert.NotNull(screener.ScreenCached("bank-beta:6222990000007777"));
    }

    [Fact]
    public async Task TheScreeningSet_HoldsNoValue_AndOpensNothingWithoutTheHubsEvaluation()
    {
        await Publish(Entry(ListKind.Phone, "+8617100001111"));
        var set = await As("carrier-east").Lists.GetScreeningSetAsync(new GetScreeningSetRequest { Kind = ListKind.Phone });
        var bytes = set.ToByteArray();
        Assert.DoesNotContain("17100001111", Encoding.ASCII.GetString(bytes));
        Assert.DoesNotContain("SZ-LIST-0007", Encoding.ASCII.GetString(bytes));

        // A guess at the value, finalised without the hub's key, opens nothing: the key is what makes the output.
        var guessKey = Oprf.NewKey();
        var guess = Oprf.Direct(guessKey, ListKind.Phone, "+8617100001111");
        Assert.DoesNotContain(set.Entries, e => e.Output.Span.SequenceEqual(guess));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Oprf.Open(guess, set.Entries[0].Sealed.Span));
    }

    [Fact]
    public async Task RevocationAndExpiry_TakeTheEntryOutOfTheSet()
    {
        var published = await Publish(Entry(ListKind.Phone, "+8617100002222"), Entry(ListKind.Phone, "+8617100003333", TimeSpan.FromHours(1)));
        var screener = new Screener(As("carrier-east").Lists, ListKind.Phone);
        await screener.SyncAsync();
        Assert.NotNull(await screener.ScreenAsync("+8617100002222"));
        Assert.NotNull(await screener.ScreenAsync("+8617100003333"));

        var revoke = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        revoke.Revoke.Add(published.AddedEntryIds[0]);
        var revoked = await As("police-shenzhen").Lists.PublishAsync(revoke);
        Assert.Equal(1u, revoked.Revoked);
        await screener.SyncAsync();
        Assert.Null(screener.ScreenCached("+8617100002222"));

        // Expiry: the expirer runs on the hub's clock.
        for (var i = 0; i < 100 && screener.ScreenCached("+8617100003333") is not null; i++)
        {
            _env.Clock.Advance(TimeSpan.FromMinutes(61));
            await Task.Delay(50);
            await screener.SyncAsync();
        }

        Assert.Null(screener.ScreenCached("+8617100003333"));
        Assert.Equal(0, screener.Count);
    }

    [Fact]
    public async Task Evaluations_BeyondTheBudget_AreResourceExhausted()
    {
        var screener = new Screener(As("bank-beta").Lists, ListKind.Account);
        await screener.ScreenAsync([.. Enumerable.Range(0, 200).Select(i => $"bank-x:62220000{i:D8}")]);
        Assert.Contains(_env.Audit.Events, a => a.Actor?.Id == "bank-beta" && a.Detail == "RiskLists/Evaluate Account: 200 evaluations in 1 call(s)");
        var e = await Assert.ThrowsAsync<RpcException>(() => screener.ScreenAsync("bank-x:6222000099999999"));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.StartsWith("blinded:", e.Status.Detail);

        // A minute later the budget is back.
        _env.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await screener.ScreenAsync("bank-x:6222000099999999"));
    }

    [Fact]
    public async Task OnlyCityCentresPublish_AndBadEntriesNameTheirField()
    {
        var request = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        request.Add.Add(Entry(ListKind.Phone, "+8617100004444"));
        var bank = await Assert.ThrowsAsync<RpcException>(() => As("bank-alpha").Lists.PublishAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);
        var district = await Assert.ThrowsAsync<RpcException>(() => As("police-sz-futian").Lists.PublishAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, district.StatusCode);
        // A district the registry allows ("publishesLists": true in config/partners.json) publishes.
        request.IdempotencyKey = Requests.NewKey();
        Assert.Single((await As("police-sz-nanshan").Lists.PublishAsync(request)).AddedEntryIds);
        request.IdempotencyKey = Requests.NewKey();
        var police = await Assert.ThrowsAsync<RpcException>(() => As("police-shenzhen").Lists.GetScreeningSetAsync(
            new GetScreeningSetRequest { Kind = ListKind.Phone }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, police.StatusCode);

        request.Add[0].Value = "12";
        var bad = await Assert.ThrowsAsync<RpcException>(() => As("police-shenzhen").Lists.PublishAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("add[0].value:", bad.Status.Detail);

        var someoneElses = new PublishEntriesRequest { IdempotencyKey = Requests.NewKey() };
        someoneElses.Revoke.Add((await Publish(Entry(ListKind.Phone, "+8617100005555"))).AddedEntryIds[0]);
        var other = await Assert.ThrowsAsync<RpcException>(() => As("police-guangzhou").Lists.PublishAsync(someoneElses).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
    }

    [Fact]
    public async Task AHit_RaisesAnAlertToTheUnitOwningTheCase_AndTheBanksLaterAnswerJoinsIt()
    {
        await Publish(Entry(ListKind.Account, "bank-beta:6222990000006666"));
        var screener = new Screener(As("bank-alpha").Lists, ListKind.Account);
        await screener.SyncAsync();
        var hit = await screener.ScreenAsync("bank-beta:6222990000006666");
        Assert.NotNull(hit);

        var customer = AlertSignals.Victim("+86139" + Random.Shared.Next(10_000_000, 99_999_999), division: "");
        var reported = await As("bank-alpha").Lists.ReportHitAsync(new ReportHitRequest
        {
            IdempotencyKey = Requests.NewKey(),
            EntryId = hit!.Details.EntryId,
            Outcome = HitOutcome.Held,
            Customer = customer,
            Amount = new Money { Currency = "CNY", MinorUnits = 30_000_00 },
        });
        var alert = await As("police-shenzhen").Alerts.GetAsync(new GetAlertRequest { AlertId = reported.AlertId });
        var owner = Assert.Single(alert.Assignments);
        Assert.Equal("police-shenzhen", owner.Unit.Id);
        Assert.Equal(AlertRole.CaseOwner, owner.Role);
        Assert.Equal("SZ-LIST-0007", alert.Signals[0].ListHit.CaseNumber);
        Assert.Equal(Priority.High, alert.Tier);

        var later = await As("bank-alpha").Lists.ReportHitAsync(new ReportHitRequest
        {
            IdempotencyKey = Requests.NewKey(),
            EntryId = hit.Details.EntryId,
            Outcome = HitOutcome.CustomerContacted,
            Customer = customer,
        });
        Assert.Equal(reported.AlertId, later.AlertId);
        var raiser = await As("bank-alpha").Alerts.GetAsync(new GetAlertRequest { AlertId = reported.AlertId });
        Assert.Equal([(uint)HitOutcome.Held, (uint)HitOutcome.CustomerContacted], raiser.Signals.Select(s => s.ListHit.Outcome));

        var unknown = await Assert.ThrowsAsync<RpcException>(() => As("bank-alpha").Lists.ReportHitAsync(new ReportHitRequest
        {
            IdempotencyKey = Requests.NewKey(), EntryId = "le-nope", Outcome = HitOutcome.Held, Customer = customer,
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }
}

public sealed class SqliteRiskListTests : RiskListTests;

public sealed class RedisRiskListTests : RiskListTests, IDisposable
{
    private readonly RedisServer _redis = RedisServer.Start();

    protected override string[] StoreSettings => _redis.HubSettings;

    public void Dispose() => _redis.Dispose();
}
