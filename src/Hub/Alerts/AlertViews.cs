using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>How a caller stands to an alert.</summary>
internal enum AlertReader
{
    None,

    /// <summary>A unit the alert went to, or one above it: sees what it needs to reach the person.</summary>
    Unit,

    /// <summary>A bank, carrier or city centre that raised a signal: sees its own signals and the outcome only.</summary>
    Raiser,

    /// <summary>Sees everything, as pseudonyms.</summary>
    Auditor,
}

/// <summary>
/// The alert as one reader may see it. Police units get the full alert masked for police on the
/// fraud-warning basis; a raiser gets a view rebuilt from its own signals (another raiser's data is never
/// in it, masked or not) plus tier, state and outcomes; auditors get pseudonyms. Assignment states are
/// read live from the instructions' exchanges.
/// </summary>
internal sealed class AlertViews(IExchangeStore store, AlertRouting routing, IDeliveryMasker masker)
{
    public AlertReader ReaderOf(PartnerIdentity caller, AlertView alert) =>
        caller.Kind == PartnerKind.Auditor ? AlertReader.Auditor
        : caller.Kind == PartnerKind.Police && alert.Assignments.Any(a => routing.IsAtOrAbove(caller.Id, a.Unit.Id)) ? AlertReader.Unit
        : alert.Signals.Any(s => s.Raiser.Id == caller.Id) ? AlertReader.Raiser
        : AlertReader.None;

    public async Task<AlertView> ForAsync(PartnerIdentity caller, AlertReader reader, AlertView alert, CancellationToken cancellationToken)
    {
        var view = reader == AlertReader.Raiser ? RaiserView(caller, alert) : await WithLiveAssignmentsAsync(alert, cancellationToken);
        return masker.Mask(view, new MaskingContext(caller, LegalBasis.FraudWarning, Request.KindOneofCase.WarnVictim,
            RecipientIsSubmitter: reader == AlertReader.Raiser)).Message;
    }

    public async Task<AlertView> WithLiveAssignmentsAsync(AlertView alert, CancellationToken cancellationToken)
    {
        var view = alert.Clone();
        foreach (var assignment in view.Assignments)
        {
            if (await store.GetAsync(assignment.ExchangeId, cancellationToken) is { } record)
            {
                assignment.State = record.State;
                assignment.ContactDeadline = record.Deadline;
                assignment.DeliveredAt = record.DeliveredAt;
                assignment.ClaimedAt = record.AcknowledgedAt;
            }
        }

        if (view.State == AlertState.Open && view.Assignments.Any(a => a.ClaimedAt is not null))
        {
            view.State = AlertState.Claimed;
        }

        return view;
    }

    private static AlertView RaiserView(PartnerIdentity caller, AlertView alert)
    {
        var own = alert.Signals.Where(s => s.Raiser.Id == caller.Id).Select(s => s.Clone()).ToList();
        var view = new AlertView
        {
            AlertId = alert.AlertId,
            Tier = alert.Tier,
            TierReason = alert.TierReason,
            State = alert.State,
            Victim = own.FirstOrDefault()?.Victim?.Clone(),
            FirstRaisedAt = alert.FirstRaisedAt,
            UpdatedAt = alert.UpdatedAt,
            HoldAdvice = alert.HoldAdvice,
            Revision = alert.Revision,
            SignalCount = alert.SignalCount,
        };
        view.Signals.AddRange(own);
        view.Outcomes.AddRange(alert.Outcomes.Select(o => o.Clone()));
        return view;
    }
}
