using System.Runtime.CompilerServices;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;

namespace AntiFraud.Exchange.Hub.Tests.Bulk;

/// <summary>Bulk orders as a city centre would send them: numbers to a carrier, accounts to a bank, generated rather than held.</summary>
public static class BulkOrderData
{
    public static BulkOrderHeader Numbers(string carrier, uint total, Priority priority = Priority.High, string? key = null) => new()
    {
        IdempotencyKey = key ?? Requests.NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Carrier, Id = carrier },
        Priority = priority,
        Case = Requests.Case("SZ-CUT-2026-0042"),
        Order = new BulkOrderNotice { Kind = BulkOrderKind.SuspendNumbers, TotalItems = total, Reason = "SIM cards sold to a fraud ring" },
    };

    public static BulkOrderHeader Accounts(string bank, uint total, string? key = null) => new()
    {
        IdempotencyKey = key ?? Requests.NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = Priority.Medium,
        Case = Requests.Case("SZ-CUT-2026-0043"),
        Order = new BulkOrderNotice { Kind = BulkOrderKind.RestrictAccounts, TotalItems = total, Reason = "accounts rented to a fraud ring" },
    };

    public static string Phone(uint n) => $"+86170{n:D8}";

    public static BulkItem NumberItem(uint n) => new() { ItemNo = n, Number = new PhoneNumber { E164 = Phone(n) }, Note = "card-cutting batch 7" };

    public static BulkItem AccountItem(string bank, uint n) => new()
    {
        ItemNo = n,
        Account = new AccountRef { BankId = bank, AccountNumber = $"6222{n:D12}", AccountName = "王五" },
    };

    public static async IAsyncEnumerable<BulkItem> Items(uint after, uint upTo, Func<uint, BulkItem> make,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var n = after + 1; n <= upTo; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return make(n);
        }

        await Task.CompletedTask;
    }

    /// <summary>A deterministic mix: most done, some not the recipient's customer, some closed, every 97th refused with a reason.</summary>
    public static BulkItemResult Result(uint n) => n % 97 == 0
        ? new BulkItemResult { ItemNo = n, Outcome = BulkItemOutcome.Refused, Reason = "subscriber is a hospital switchboard" }
        : new BulkItemResult
        {
            ItemNo = n,
            Outcome = (n % 10) switch { 3 => BulkItemOutcome.NotOurCustomer, 7 => BulkItemOutcome.AlreadyClosed, _ => BulkItemOutcome.Done },
        };

    public static async IAsyncEnumerable<BulkItemResult> Results(IEnumerable<uint> numbers)
    {
        foreach (var n in numbers)
        {
            yield return Result(n);
        }

        await Task.CompletedTask;
    }

    public static BulkOutcomeCounts Expected(uint total)
    {
        var counts = new BulkOutcomeCounts { Total = total, Answered = total };
        for (uint n = 1; n <= total; n++)
        {
            switch (Result(n).Outcome)
            {
                case BulkItemOutcome.Done: counts.Done++; break;
                case BulkItemOutcome.NotOurCustomer: counts.NotOurCustomer++; break;
                case BulkItemOutcome.AlreadyClosed: counts.AlreadyClosed++; break;
                default: counts.Refused++; break;
            }
        }

        return counts;
    }
}
