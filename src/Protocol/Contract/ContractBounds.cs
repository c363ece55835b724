using System.Collections;
using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Protocol.Contract;

/// <summary>One field of a message that breaks the contract's bounds: its path and what is wrong, never its value.</summary>
public sealed record BoundsViolation(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}

/// <summary>
/// The limits the contract declares on every message a partner sends, checked by walking the message
/// by its descriptor: every enum holds a declared value, every Timestamp and Duration is within its
/// representable range and normalised, every string and bytes value is within its field's
/// <c>(max_length)</c> or its data class's default, and every repeated field within its
/// <c>(max_items)</c>. A violation names the field path ("request.freeze.victim.name"), never the value,
/// so it is safe to return to the caller and to log.
/// </summary>
public static class ContractBounds
{
    public const int DefaultMaxItems = 1000;
    private const int MaxDepth = 32;

    // Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (google/protobuf/timestamp.proto).
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    // Duration: about ±10,000 years (google/protobuf/duration.proto).
    private const long MaxDurationSeconds = 315_576_000_000;

    private static readonly ConcurrentDictionary<MessageDescriptor, FieldPlan[]> Plans = new();

    /// <summary>The class default length limit (see options.proto).</summary>
    public static int DefaultMaxLength(DataClass dataClass) => dataClass switch
    {
        DataClass.PhoneNumber => 32,
        DataClass.NationalId or DataClass.AccountNumber or DataClass.DeviceId or DataClass.IpAddress => 64,
        DataClass.PersonName or DataClass.Location => 256,
        DataClass.Address => 512,
        DataClass.FreeText => 2000,
        _ => 128,
    };

    /// <summary>The first violation in <paramref name="message"/>, or null when it is within bounds.</summary>
    public static BoundsViolation? Check(IMessage message) => Walk(message, string.Empty, 0);

    private static BoundsViolation? Walk(IMessage message, string prefix, int depth)
    {
        if (depth > MaxDepth)
        {
            return new BoundsViolation(prefix.TrimEnd('.'), $"is nested deeper than {MaxDepth} levels");
        }

        foreach (var plan in Plans.GetOrAdd(message.Descriptor, Build))
        {
            var value = plan.Field.Accessor.GetValue(message);
            if (plan.Field.IsMap)
            {
                var map = (IDictionary)value;
                if (map.Count > plan.MaxItems)
                {
                    return new BoundsViolation(prefix + plan.Name, $"holds {map.Count} entries; at most {plan.MaxItems} are accepted");
                }

                continue;
            }

            if (plan.Field.IsRepeated)
            {
                var list = (IList)value;
                if (list.Count > plan.MaxItems)
                {
                    return new BoundsViolation(prefix + plan.Name, $"holds {list.Count} elements; at most {plan.MaxItems} are accepted");
                }

                for (var i = 0; i < list.Count; i++)
                {
                    if (CheckValue(plan, list[i], $"{prefix}{plan.Name}[{i}]", depth) is { } violation)
                    {
                        return violation;
                    }
                }

                continue;
            }

            if (CheckValue(plan, value, prefix + plan.Name, depth) is { } single)
            {
                return single;
            }
        }

        return null;
    }

    private static BoundsViolation? CheckValue(FieldPlan plan, object? value, string path, int depth)
    {
        switch (plan.Kind)
        {
            case ValueKind.String when value is string s && s.Length > plan.MaxLength:
                return new BoundsViolation(path, $"is {s.Length} characters long; at most {plan.MaxLength} are accepted");
            case ValueKind.Bytes when value is ByteString b && b.Length > plan.MaxLength:
                return new BoundsViolation(path, $"is {b.Length} bytes long; at most {plan.MaxLength} are accepted");
            case ValueKind.Enum:
                var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                return plan.Field.EnumType.FindValueByNumber(number) is null
                    ? new BoundsViolation(path, $"{number} is not a {plan.Field.EnumType.Name} value")
                    : null;
            case ValueKind.Timestamp when value is Timestamp t:
                return t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > 999_999_999
                    ? new BoundsViolation(path, "is not a valid Timestamp (years 1 to 9999, nanos 0 to 999,999,999)")
                    : null;
            case ValueKind.Duration when value is Duration d:
                var mixedSigns = (d.Seconds > 0 && d.Nanos < 0) || (d.Seconds < 0 && d.Nanos > 0);
                return d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -999_999_999 or > 999_999_999
                    || mixedSigns
                    ? new BoundsViolation(path, "is not a valid Duration (at most 10,000 years, seconds and nanos of one sign)")
                    : null;
            case ValueKind.Message when value is IMessage child:
                return Walk(child, path + ".", depth + 1);
            default:
                return null;
        }
    }

    private static FieldPlan[] Build(MessageDescriptor descriptor)
    {
        var plans = new List<FieldPlan>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var options = field.GetOptions();
            var dataClass = options?.GetExtension(OptionsExtensions.DataClass) ?? DataClass.Unspecified;
            var maxLength = options?.GetExtension(OptionsExtensions.MaxLength) is > 0 and var declared ? (int)declared : DefaultMaxLength(dataClass);
            var maxItems = options?.GetExtension(OptionsExtensions.MaxItems) is > 0 and var items ? (int)items : DefaultMaxItems;
            var kind = field.FieldType switch
            {
                FieldType.String => ValueKind.String,
                FieldType.Bytes => ValueKind.Bytes,
                FieldType.Enum => ValueKind.Enum,
                FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName => ValueKind.Timestamp,
                FieldType.Message when field.MessageType.FullName == Duration.Descriptor.FullName => ValueKind.Duration,
                FieldType.Message when field.MessageType.File.Package == "google.protobuf" => ValueKind.None,
                FieldType.Message => ValueKind.Message,
                _ => ValueKind.None,
            };
            if (kind != ValueKind.None || field.IsRepeated || field.IsMap)
            {
                plans.Add(new FieldPlan(field, field.Name, kind, maxLength, maxItems));
            }
        }

        return [.. plans];
    }

    private enum ValueKind
    {
        None,
        String,
        Bytes,
        Enum,
        Timestamp,
        Duration,
        Message,
    }

    private sealed record FieldPlan(FieldDescriptor Field, string Name, ValueKind Kind, int MaxLength, int MaxItems);
}
