using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Transparency;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Adversarial;

/// <summary>One partner's bad call fails only that call: not another partner's writes, not the host.</summary>
public sealed class IsolationTests
{
    /// <summary>
    /// A write that throws inside the group commit (whatever the reason) fails alone: the other writes
    /// of the same batch commit. Deterministic: a first write holds the writer until the rest are queued.
    /// </summary>
    [Fact]
    public async Task SqliteGroupCommit_OneThrowingWrite_FailsOnlyItself()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-batch-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await using var store = new SqliteExchangeStore(Path.Combine(dir, "hub.db"), durable: true, NullLogger<SqliteExchangeStore>.Instance,
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var first = await store.SubmitAsync(Record("ex-first", "k-first"), [], CancellationToken.None);
        Assert.False(first.Duplicate);

        using var hold = new ManualResetEventSlim();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = store.UpdateAsync("ex-first", current =>
        {
            holding.TrySetResult();
            hold.Wait(TimeSpan.FromSeconds(30));
            return null;
        }, CancellationToken.None);
        await holding.Task;

        var bad = store.UpdateAsync("ex-first", _ => throw new ArgumentOutOfRangeException("hold_expires_at", "a value no store should see"), CancellationToken.None);
        var good = Enumerable.Range(0, 20).Select(i => store.SubmitAsync(Record($"ex-good-{i}", $"k-good-{i}"), [], CancellationToken.None)).ToList();
        hold.Set();
        await blocker;

        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        foreach (var write in good)
        {
            var outcome = await write;
            Assert.False(outcome.Duplicate);
        }

        foreach (var i in Enumerable.Range(0, 20))
        {
            Assert.NotNull(await store.GetAsync($"ex-good-{i}", CancellationToken.None));
        }
    }

    /// <summary>
    /// Through the hub: a bank keeps sending malformed answers while another police centre submits.
    /// Every one of the police centre's submissions succeeds, and the bank gets INVALID_ARGUMENT.
    /// </summary>
    [Fact]
    public async Task MalformedRespond_FromOneBank_NeverFailsAnotherCentresSubmissions()
    {
        await using var fixture = new ExchangeFixture();
        await fixture.InitializeAsync();
        var target = await fixture.Police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222000000015001", 100_00));
        var bad = new RespondRequest
        {
            ExchangeId = target.ExchangeId,
            Result = new Result { StopPayment = Requests.Hold(100_00) },
        };
        bad.Result.StopPayment.ExecutedAt = new Timestamp { Seconds = long.MaxValue / 2 };

        var badCodes = new ConcurrentBag<StatusCode>();
        var failures = new ConcurrentBag<string>();
        for (var round = 0; round < 60; round++)
        {
            var work = new List<Task>
            {
                Task.Run(async () =>
                {
                    try
                    {
                        await fixture.BankAlpha.Inbox.RespondAsync(bad);
                        badCodes.Add(StatusCode.OK);
                    }
                    catch (RpcException ex)
                    {
                        badCodes.Add(ex.StatusCode);
                    }
                }),
            };
            for (var i = 0; i < 4; i++)
            {
                var account = $"6222{round:D4}{i:D8}";
                work.Add(Task.Run(async () =>
                {
                    try
                    {
                        await fixture.OtherPolice.Exchange.SubmitAsync(Requests.Freeze("bank-beta", account, 100_00, caseRef: Requests.Case("GZ-ISO")));
                    }
                    catch (RpcException ex)
                    {
                        failures.Add($"{ex.StatusCode}: {ex.Status.Detail}");
                    }
                }));
            }

            await Task.WhenAll(work);
        }

        Assert.Empty(failures);
        Assert.All(badCodes, code => Assert.Equal(StatusCode.InvalidArgument, code));
    }

    /// <summary>Eight callers asking for fresh checkpoints at once: each gets a checkpoint that verifies, or a clear RESOURCE_EXHAUSTED; the hub keeps serving.</summary>
    [Fact]
    public async Task ConcurrentFreshCheckpoints_NeverFailOrTear()
    {
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build());
        using var bank = new Partner(hub, "bank-alpha");
        using var police = new Partner(hub, "police-shenzhen");
        var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(DevPki.CertsDir, "audit", "log-signing.pub")));

        var outcomes = new ConcurrentBag<string>();
        var callers = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                if (i % 5 == 0)
                {
                    await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"6222{caller:D4}{i:D8}", 100_00));
                }

                try
                {
                    var checkpoint = await bank.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });
                    SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key);
                    outcomes.Add("ok");
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
                {
                    outcomes.Add("limited");
                }
                catch (Exception ex)
                {
                    outcomes.Add("FAILED " + ex.GetType().Name + ": " + ex.Message);
                }
            }
        })).ToList();
        await Task.WhenAll(callers);

        Assert.DoesNotContain(outcomes, o => o.StartsWith("FAILED", StringComparison.Ordinal));
        Assert.Contains("ok", outcomes);
        var health = await new Protocol.Clients.HealthClient(bank.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    /// <summary>
    /// The checkpoint file cannot be written (its path is taken by a folder): the hub still starts and
    /// serves, and checkpoints are still served (from memory, signed with each batch) and verify.
    /// </summary>
    [Fact]
    public async Task CheckpointThatCannotBeWritten_DoesNotStopTheHub()
    {
        var dir = Path.Combine(Path.GetTempPath(), "afx-ckpt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "audit", "audit.checkpoint"));
        await using var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build($"--Hub:Store:Path={dir}/hub.db"));
        using var police = new Partner(hub, "police-shenzhen");

        for (var i = 0; i < 5; i++)
        {
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", $"62220000001600{i:D2}", 100_00));
        }

        var checkpoint = await police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true });
        var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(DevPki.CertsDir, "audit", "log-signing.pub")));
        Assert.True(SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key).Size >= 5);
        var health = await new Protocol.Clients.HealthClient(police.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static ExchangeRecord Record(string id, string key)
    {
        var now = DateTimeOffset.UtcNow;
        return new ExchangeRecord
        {
            ExchangeId = id,
            IdempotencyKey = key,
            From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            To = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
            Priority = Priority.High,
            Case = new CaseRef { CaseNumber = "SZ-BATCH" },
            Request = Requests.Freeze("bank-alpha", "6222000000015999", 100_00).Request,
            State = ExchangeState.Submitted,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Deadline = Timestamp.FromDateTimeOffset(now.AddHours(2)),
        };
    }
}
