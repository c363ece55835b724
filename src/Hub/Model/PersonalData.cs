using System.Collections;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>
/// Erases personal data from a stored message: every string or bytes field whose proto declares a personal data class (anything but
/// NON_SENSITIVE) is emptied, in every nested message, list and map, by the same descriptors the masking engine walks, so a field added
/// tomorrow is covered. Ids, states, times and amounts stay: the record still says what happened and when, not to whom.
/// </summary>
internal static class PersonalData
{
    private const int MaxDepth = 24;

    /// <summary>Erases in place; returns how many values were emptied.</summary>
    public static int Erase(IMessage message) => Erase(message, 0);

    private static int Erase(IMessage message, int depth)
    {
        if (depth > MaxDepth)
        {
            return 0;
        }

        var erased = 0;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.FieldType is FieldType.String or FieldType.Bytes)
            {
                if (!IsPersonal(field))
                {
                    continue;
                }

                if (value is IList list && list.Count > 0)
                {
                    erased += list.Count;
                    list.Clear();
                }
                else if (value is IDictionary map && map.Count > 0)
                {
                    erased += map.Count;
                    map.Clear();
                }
                else if (value is string { Length: > 0 } or ByteString { Length: > 0 })
                {
                    erased++;
                    field.Accessor.Clear(message);
                }
            }
            else if (field.FieldType == FieldType.Message)
            {
                if (field.IsMap && value is IDictionary map)
                {
                    if (IsPersonal(field) && map.Count > 0)
                    {
                        erased += map.Count;
                        map.Clear();
                        continue;
                    }

                    foreach (var item in map.Values)
                    {
                        erased += item is IMessage m ? Erase(m, depth + 1) : 0;
                    }
                }
                else if (value is IList list)
                {
                    foreach (var item in list)
                    {
                        erased += Erase((IMessage)item, depth + 1);
                    }
                }
                else if (value is IMessage nested)
                {
                    erased += Erase(nested, depth + 1);
                }
            }
        }

        return erased;
    }

    private static bool IsPersonal(FieldDescriptor field) =>
        (field.GetOptions()?.GetExtension(OptionsExtensions.DataClass) ?? DataClass.Unspecified) is not (DataClass.NonSensitive
            or DataClass.Unspecified);
}
