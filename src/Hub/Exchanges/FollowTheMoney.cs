using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Opens follow-up holds at the banks the money went on to, when the case opted in: same kind of hold,
/// linked to its parent, within the depth limit and above the amount threshold, and never a second hold
/// on an account already held in this case. Idempotent per (parent, transfer).
/// </summary>
internal sealed class FollowTheMoney(IExchangeStore store, ExchangeIntake intake, ExchangeAccess access, PartnerRegistry registry,
    ILogger<FollowTheMoney> logger)
{
    private const uint DefaultFollowDepth = 3;

    public async Task<IReadOnlyList<string>> FollowAsync(ExchangeRecord answered, CancellationToken cancellationToken)
    {
        var follow = answered.Case.FollowTheMoney;
        var hold = CaseMoneyView.HoldOf(answered);
        var maxDepth = follow?.MaxDepth is > 0 ? follow.MaxDepth : DefaultFollowDepth;
        if (follow is not { Enabled: true } || hold is null || answered.FollowDepth >= maxDepth)
        {
            return [];
        }

        var submitter = new PartnerIdentity(answered.From.Kind, answered.From.Id);
        var opened = new List<string>();
        for (var i = 0; i < hold.OnwardTransfers.Count; i++)
        {
            var transfer = hold.OnwardTransfers[i];
            var to = transfer.Counterparty;
            if (transfer.Direction == TransferDirection.Credit
                || (follow.MinAmount is { } min && transfer.Amount.MinorUnits < min.MinorUnits)
                || !registry.TryGet(to.BankId, out var bank) || bank.Kind != PartnerKind.Bank || !bank.Enabled)
            {
                ExchangeLog.NotFollowed(logger, answered.ExchangeId, i, to.BankId);
                continue;
            }

            if (await store.FindHoldAsync(submitter.Id, answered.Case.CaseNumber, to.BankId, to.AccountNumber,
                cancellationToken) is not null)
            {
                continue;
            }

            var submit = FollowUp(answered, transfer, i);
            var outcome = await intake.AcceptAsync(submitter, submit, answered, cancellationToken);
            if (!outcome.Duplicate)
            {
                await access.AuditAsync(new AuditEvent(AuditEventKind.Submitted, submitter.ToRef(),
                    "follow-up " + RequestValidator.KindName(submit.Request.KindCase), outcome.Record.ExchangeId, answered.Case.CaseNumber,
                    outcome.Record.To, submit), cancellationToken);
            }

            opened.Add(outcome.Record.ExchangeId);
        }

        return opened;
    }

    /// <summary>The same kind of hold as the answered one, on the account the money went to.</summary>
    private static SubmitRequest FollowUp(ExchangeRecord answered, Transaction transfer, int index)
    {
        var to = transfer.Counterparty;
        var request = new Request();
        var reason = $"following the money from {answered.ExchangeId} (transfer {transfer.TransactionId})";
        if (answered.Request.KindCase == Request.KindOneofCase.StopPayment)
        {
            var victim = answered.Request.StopPayment.Victim;
            request.StopPayment = new StopPaymentNotice { Account = to, Amount = transfer.Amount, Victim = victim, ReportedTransfer = transfer, Reason = reason };
        }
        else
        {
            var victim = answered.Request.Freeze.Victim;
            request.Freeze = new FreezeNotice { Account = to, Amount = transfer.Amount, Victim = victim, ReportedTransfer = transfer, Reason = reason };
        }

        var transferKey = transfer.TransactionId.Length > 0 ? transfer.TransactionId : index.ToString(CultureInfo.InvariantCulture);
        return new SubmitRequest
        {
            IdempotencyKey = $"follow:{answered.ExchangeId}:{transferKey}",
            Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = to.BankId },
            Priority = answered.Priority,
            Case = answered.Case,
            Request = request,
        };
    }
}
