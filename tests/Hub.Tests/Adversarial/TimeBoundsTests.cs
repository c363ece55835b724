using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AntiFraud.Exchange.Hub.Tests.Adversarial;

/// <summary>
/// Every time a partner sends is bounded: a hold, a freeze, a trace window or a Timestamp outside its
/// policy maximum or outside the representable range is INVALID_ARGUMENT naming the field, before
/// anything is stored, and no such value can stop the hub.
/// </summary>
public sealed class TimeBoundsTests(ExchangeFixture f) : IClassFixture<ExchangeFixture>
{
    /// <summary>Seconds of 10000-01-01T00:00:00Z: one past the last second a Timestamp may hold.</summary>
    private const long BeyondYear9999 = 253_402_300_800;

    [Fact]
    public async Task StopPayment_HoldPeriodOf60Days_IsInvalidArgumentNamingTheField()
    {
        var request = Requests.StopPayment("bank-alpha", "6222000000013001", 500_00);
        request.Request.StopPayment.HoldPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(60));

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("request.stop_payment.hold_period:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("freeze_period", 400.0)]
    [InlineData("window", 30.0)]
    [InlineData("period", 4000.0)]
    public async Task Durations_BeyondPolicyMaxima_AreInvalidArgument(string field, double days)
    {
        var request = field switch
        {
            "freeze_period" => Requests.Freeze("bank-alpha", "6222000000013002", 100_00),
            "window" => Requests.Trace("carrier-east"),
            _ => Suspension("carrier-east", "+8617000000001"),
        };
        var span = Duration.FromTimeSpan(TimeSpan.FromDays(days));
        var path = field switch
        {
            "freeze_period" => "request.freeze.freeze_period",
            "window" => "request.call_trace.window",
            _ => "request.number_suspension.period",
        };
        switch (field)
        {
            case "freeze_period":
                request.Request.Freeze.FreezePeriod = span;
                break;
            case "window":
                request.Request.CallTrace.Window = span;
                break;
            default:
                request.Request.NumberSuspension.Period = span;
                break;
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(path + ":", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durations_NotNormalised_AreInvalidArgument()
    {
        var request = Requests.StopPayment("bank-alpha", "6222000000013003", 500_00);
        request.Request.StopPayment.HoldPeriod = new Duration { Seconds = 3600, Nanos = -5 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("request.stop_payment.hold_period:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timestamp_OutsideItsRange_InASubmission_IsInvalidArgumentNamingTheField()
    {
        var request = Requests.Trace("carrier-east");
        request.Request.CallTrace.CallTime = new Timestamp { Seconds = BeyondYear9999 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.Police.Exchange.SubmitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("request.call_trace.call_time:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Respond_HoldExpiryOutsideTheTimestampRange_IsRefusedBeforeAnythingIsStored_ThenAGoodAnswerIsAudited()
    {
        var exchange = await StopPaymentAtBankAlpha("6222000000013004");
        var bad = HoldAnswer(exchange);
        bad.Result.StopPayment.HoldExpiresAt = new Timestamp { Seconds = BeyondYear9999 + 86_400 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(bad).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("result.stop_payment.hold_expires_at:", ex.Status.Detail, StringComparison.Ordinal);
        var stored = await f.Police.Exchange.GetAsync(new GetExchangeRequest { ExchangeId = exchange });
        Assert.NotEqual(ExchangeState.Answered, stored.State);

        await f.BankAlpha.Inbox.RespondAsync(HoldAnswer(exchange));
        Assert.Contains(f.Audit.Events, e => e.Kind == AuditEventKind.Answered && e.ExchangeId == exchange);
    }

    [Fact]
    public async Task Respond_HoldExpiryIn2200_IsBeyondThePolicyMaximum()
    {
        var exchange = await StopPaymentAtBankAlpha("6222000000013005");
        var bad = HoldAnswer(exchange);
        bad.Result.StopPayment.HoldExpiresAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(bad).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("result.stop_payment.hold_expires_at:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Respond_ExecutedAtOutsideTheTimestampRange_IsInvalidArgument()
    {
        var exchange = await StopPaymentAtBankAlpha("6222000000013006");
        var bad = HoldAnswer(exchange);
        bad.Result.StopPayment.ExecutedAt = new Timestamp { Seconds = -BeyondYear9999 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => f.BankAlpha.Inbox.RespondAsync(bad).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("result.stop_payment.executed_at:", ex.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// A hold already in the store that lapses in 60 days (beyond what one Task.Delay can wait) must
    /// not stop the deadline tracker, let alone the host.
    /// </summary>
    [Fact]
    public async Task HoldLapsingIn60Days_AlreadyTracked_DoesNotStopTheHub()
    {
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build());
        var tracker = hub.Services.GetRequiredService<DeadlineTracker>();
        await tracker.Armed;
        var now = DateTimeOffset.UtcNow;
        tracker.TrackLocal(new ExchangeRecord
        {
            ExchangeId = "ex-far-future-hold",
            State = ExchangeState.Answered,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Deadline = Timestamp.FromDateTimeOffset(now.AddHours(1)),
            HoldExpiresAt = Timestamp.FromDateTimeOffset(now.AddDays(60)),
            Case = new CaseRef { CaseNumber = "SZ-FAR" },
            From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            To = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
        });

        using var police = new Partner(hub, "police-shenzhen");
        for (var i = 0; i < 10; i++)
        {
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000000140{i:D2}", 100_00));
        }

        Assert.False(tracker.ExecuteTask!.IsCompleted, "the deadline tracker stopped: " + tracker.ExecuteTask.Exception?.GetBaseException().Message);
        Assert.False(hub.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    /// <summary>A grpc-timeout above 49.7 days (the longest a timer can wait) is a long deadline, not a server error.</summary>
    [Fact]
    public async Task GrpcTimeoutOf99999999Hours_IsServed()
    {
        using var http = RawGrpc.Client("police-shenzhen");
        using var request = RawGrpc.Request(f.Hub.Address, "/grpc.health.v1.Health/Check", new ByteArrayContent(RawGrpc.Frame([])),
            ("grpc-timeout", "99999999H"));
        using var response = await http.SendAsync(request, CancellationToken.None);

        var (httpStatus, status, message, _) = await RawGrpc.StatusOf(response);

        Assert.Equal(System.Net.HttpStatusCode.OK, httpStatus);
        Assert.True(status == 0, $"grpc-status {status}: {message}");
    }

    private async Task<string> StopPaymentAtBankAlpha(string account)
    {
        var submitted = await f.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", account, 500_00, caseRef: Requests.Case("SZ-TIME-" + account[^4..])));
        return submitted.ExchangeId;
    }

    private static RespondRequest HoldAnswer(string exchangeId) => new()
    {
        ExchangeId = exchangeId,
        Result = new Result { StopPayment = Requests.Hold(500_00) },
    };

    private static SubmitRequest Suspension(string carrier, string number) => new()
    {
        IdempotencyKey = Requests.NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Carrier, Id = carrier },
        Priority = Priority.High,
        Case = Requests.Case("SZ-TIME-SUSP"),
        Request = new Request { NumberSuspension = new NumberSuspensionRequest { Number = new PhoneNumber { E164 = number }, Reason = "fraud calls" } },
    };
}
