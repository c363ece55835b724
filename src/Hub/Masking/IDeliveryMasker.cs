using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>Who receives a message, on what basis: what the masking policy is keyed on.</summary>
public readonly record struct MaskingContext(PartnerIdentity Recipient, LegalBasis LegalBasis, Request.KindOneofCase RequestKind,
    bool RecipientIsSubmitter);

/// <summary>A message as it may leave the hub for one recipient, and what was done to it.</summary>
public readonly record struct Masked<T>(T Message, IReadOnlyList<MaskingDecision> Decisions);

/// <summary>Applied to everything that leaves the hub: inbox items, watch events, query results. Storage keeps the complete
/// record.</summary>
public interface IDeliveryMasker
{
    Masked<T> Mask<T>(T message, MaskingContext context)
        where T : class, IMessage<T>;
}
