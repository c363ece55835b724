using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Masking;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Hub.Tests.Masking;

/// <summary>
/// The build check: every string or bytes field of the canonical contract declares its data class,
/// or says DATA_CLASS_NON_SENSITIVE out loud. A new field that says neither fails the build here.
/// </summary>
public sealed class ContractCoverageTests
{
    public static IEnumerable<FileDescriptor> ContractFiles() =>
    [
        CommonReflection.Descriptor, RequestsReflection.Descriptor, ResultsReflection.Descriptor, ExchangeReflection.Descriptor,
        InboxReflection.Descriptor, AuditReflection.Descriptor, OperationsReflection.Descriptor, OptionsReflection.Descriptor,
    ];

    internal static List<string> Unclassified(IEnumerable<MessageDescriptor> messages)
    {
        var missing = new List<string>();
        void Walk(MessageDescriptor message)
        {
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                var value = field.IsMap ? field.MessageType.FindFieldByNumber(2) : field;
                if (value.FieldType is FieldType.String or FieldType.Bytes && MaskingEngine.DataClassOf(field) == DataClass.Unspecified)
                {
                    missing.Add(field.FullName);
                }
            }

            foreach (var nested in message.NestedTypes)
            {
                Walk(nested);
            }
        }

        foreach (var message in messages)
        {
            Walk(message);
        }

        return missing;
    }

    [Fact]
    public void EveryStringAndBytesField_OfTheContract_DeclaresADataClass()
    {
        var messages = ContractFiles().SelectMany(f => f.MessageTypes).ToList();
        Assert.True(messages.Count > 40, $"walked only {messages.Count} messages");
        var missing = Unclassified(messages);
        Assert.True(missing.Count == 0, "Fields without (data_class): " + string.Join(", ", missing));
    }

    [Fact]
    public void TheCheck_FindsAnUnclassifiedField()
    {
        // grpc.health.v1 is not ours and declares no classes: the check must see that.
        var missing = Unclassified([Grpc.Health.V1.HealthCheckRequest.Descriptor]);
        Assert.Equal(["grpc.health.v1.HealthCheckRequest.service"], missing);
    }
}
