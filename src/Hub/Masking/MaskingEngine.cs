using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>
/// One generic engine for every message that leaves the hub: it walks the message by its descriptor,
/// and every string or bytes field whose proto declares a data class gets the transform the policy
/// decides for this recipient. No per-message code, so a new field is covered the day it is added.
/// For each (message type, recipient context, policy version) the walk is planned once; when the plan
/// keeps everything, the message goes out as it is, with no copy.
/// </summary>
internal sealed class MaskingEngine(MaskingPolicy policy, PseudonymKeys keys) : IDeliveryMasker
{
    private const int MaxDepth = 24;

    /// <summary>Plans kept at most; the key space is bounded (enums are checked at the edge), this bounds it again across policy
    /// versions.</summary>
    internal const int MaxPlans = 2048;
    private readonly ConcurrentDictionary<PlanKey, Node> _plans = new();

    internal int PlanCount => _plans.Count;

    public Masked<T> Mask<T>(T message, MaskingContext context)
        where T : class, IMessage<T>
    {
        var rules = policy.Current;
        var key = new PlanKey(message.Descriptor, context.Recipient.Kind, context.RecipientIsSubmitter, context.LegalBasis,
            context.RequestKind, rules.Version);
        if (!_plans.TryGetValue(key, out var plan))
        {
            if (_plans.Count >= MaxPlans)
            {
                _plans.Clear();
            }

            plan = _plans.GetOrAdd(key, static (k, state) => Build(k.Type, state.Rules, state.Context, [], 0), (Rules: rules,
                Context: context));
        }
        if (plan.AllKeep)
        {
            return new Masked<T>(message, plan.Decisions);
        }

        var copy = message.Clone();
        var decisions = new Dictionary<string, MaskingDecision>(StringComparer.Ordinal);
        Apply(copy, plan, context, decisions);
        return new Masked<T>(copy, [.. decisions.Values]);
    }

    private void Apply(IMessage message, Node node, in MaskingContext context, Dictionary<string, MaskingDecision> decisions)
    {
        foreach (var leaf in node.Leaves)
        {
            var accessor = leaf.Field.Accessor;
            if (leaf.Field.IsMap)
            {
                var map = (IDictionary)accessor.GetValue(message);
                if (map.Count == 0)
                {
                    continue;
                }

                if (leaf.Rule.Transform == MaskTransform.Drop)
                {
                    map.Clear();
                }
                else
                {
                    foreach (var k in map.Keys.Cast<object>().ToList())
                    {
                        map[k] = Transform(map[k]!, leaf, context);
                    }
                }
            }
            else if (leaf.Field.IsRepeated)
            {
                var list = (IList)accessor.GetValue(message);
                if (list.Count == 0)
                {
                    continue;
                }

                if (leaf.Rule.Transform == MaskTransform.Drop)
                {
                    list.Clear();
                }
                else
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        list[i] = Transform(list[i]!, leaf, context);
                    }
                }
            }
            else
            {
                var value = accessor.GetValue(message);
                if (value is string { Length: 0 } || value is ByteString { IsEmpty: true } || value is null)
                {
                    continue;
                }

                if (leaf.Rule.Transform == MaskTransform.Drop)
                {
                    accessor.Clear(message);
                }
                else
                {
                    accessor.SetValue(message, Transform(value, leaf, context));
                }
            }

            decisions.TryAdd(leaf.Path, leaf.Decision);
        }

        foreach (var (field, child) in node.Children)
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                foreach (var entry in ((IDictionary)value).Values)
                {
                    if (entry is IMessage m)
                    {
                        Apply(m, child, context, decisions);
                    }
                }
            }
            else if (field.IsRepeated)
            {
                foreach (var item in (IList)value)
                {
                    Apply((IMessage)item, child, context, decisions);
                }
            }
            else if (value is IMessage m)
            {
                Apply(m, child, context, decisions);
            }
        }
    }

    private object Transform(object value, Leaf leaf, in MaskingContext context)
    {
        var rule = leaf.Rule;
        return value switch
        {
            string s => rule.Transform switch
            {
                MaskTransform.Redact => "[REDACTED]",
                MaskTransform.Partial => Partial(s, rule),
                MaskTransform.Pseudonym => "ps:" + Convert.ToHexStringLower(keys.Pseudonym(context.Recipient.Id, leaf.Class,
                    Encoding.UTF8.GetBytes(s)), 0, 12),
                _ => s,
            },
            ByteString b => rule.Transform switch
            {
                MaskTransform.Pseudonym => ByteString.CopyFrom(keys.Pseudonym(context.Recipient.Id, leaf.Class, b.Span).AsSpan(0, 16)),
                MaskTransform.Keep => b,
                _ => ByteString.Empty,
            },
            _ => value,
        };
    }

    /// <summary>Keeps the last N characters; a value no longer than N is masked whole, so nothing short leaks.</summary>
    internal static string Partial(string value, MaskingRule rule)
    {
        var keep = value.Length > rule.KeepLast ? rule.KeepLast : 0;
        var masked = rule.MaskLength ?? (value.Length - keep);
        return string.Create(masked + keep, (value, keep, rule.MaskChar), static (span, state) =>
        {
            span[..^state.keep].Fill(state.MaskChar);
            state.value.AsSpan(state.value.Length - state.keep).CopyTo(span[^state.keep..]);
        });
    }

    private static Node Build(MessageDescriptor type, MaskingRules rules, MaskingContext context, List<string> path, int depth)
    {
        var leaves = new List<Leaf>();
        var children = new List<(FieldDescriptor, Node)>();
        if (depth < MaxDepth)
        {
            foreach (var field in type.Fields.InDeclarationOrder())
            {
                path.Add(field.Name);
                var valueField = field.IsMap ? field.MessageType.FindFieldByNumber(2) : field;
                if (valueField.FieldType is FieldType.String or FieldType.Bytes)
                {
                    var dataClass = DataClassOf(field);
                    if (dataClass is not (DataClass.NonSensitive or DataClass.Unspecified))
                    {
                        var segments = MatchPath(path);
                        var rule = rules.Decide(context, dataClass, segments);
                        var shown = string.Join('.', path);
                        leaves.Add(new Leaf(field, dataClass, rule, shown, new MaskingDecision { FieldPath = shown, DataClass = dataClass,
                            Transform = rule.Transform, Rule = rule.Name }));
                    }
                }
                else if (valueField.FieldType == FieldType.Message && !IsWellKnown(valueField.MessageType))
                {
                    var child = Build(valueField.MessageType, rules, context, path, depth + 1);
                    if (child.Leaves.Count > 0 || child.Children.Count > 0)
                    {
                        children.Add((field, child));
                    }
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        var allKeep = leaves.All(l => l.Rule.Transform == MaskTransform.Keep) && children.All(c => c.Item2.AllKeep);
        var decisions = allKeep ? leaves.Select(l => l.Decision).Concat(children.SelectMany(c => c.Item2.Decisions)).ToList() : [];
        return new Node(leaves, children, allKeep, decisions);
    }

    /// <summary>Rule paths are written from the exchange's point of view: a watch event's "snapshot." prefix is not part of them.</summary>
    private static string[] MatchPath(List<string> path) =>
        path.Count > 0 && path[0] == "snapshot" ? [.. path.Skip(1)] : [.. path];

    internal static DataClass DataClassOf(FieldDescriptor field) =>
        field.GetOptions()?.GetExtension(OptionsExtensions.DataClass) ?? DataClass.Unspecified;

    private static bool IsWellKnown(MessageDescriptor type) => type.File.Package == "google.protobuf";

    private readonly record struct PlanKey(MessageDescriptor Type, PartnerKind Kind, bool Submitter, LegalBasis Basis,
        Request.KindOneofCase RequestKind, int Version);

    private sealed record Leaf(FieldDescriptor Field, DataClass Class, MaskingRule Rule, string Path, MaskingDecision Decision);

    private sealed record Node(List<Leaf> Leaves, List<(FieldDescriptor Field, Node Child)> Children, bool AllKeep,
        IReadOnlyList<MaskingDecision> Decisions);
}
