using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>Delivers messages unchanged. Only for tests that isolate other features; the hub uses the policy engine.</summary>
internal sealed class PassThroughMasker : IDeliveryMasker
{
    public Masked<T> Mask<T>(T message, MaskingContext context)
        where T : class, IMessage<T> => new(message, []);
}
