using System.Collections.Frozen;
using System.Text.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>One partner as the operator registered it; a police unit also has its place in the hierarchy.</summary>
public sealed record PartnerEntry(string Id, PartnerKind Kind, string DisplayName, bool Enabled, PoliceUnit? Unit = null)
{
    /// <summary>The partner's duty roster: who answers for which kinds of request when (escalations reach it).</summary>
    public IReadOnlyList<DutyContact> Duty { get; init; } = [];
}

/// <summary>
/// The partner registry: a JSON file the operator edits (config/partners.json by default), re-read
/// without restart. A valid certificate for a partner that is missing here, or disabled, is refused.
/// </summary>
internal sealed class PartnerRegistry
{
    private readonly ReloadingFile<FrozenDictionary<string, PartnerEntry>> _file;

    public PartnerRegistry(string path, TimeProvider time, ILogger<PartnerRegistry> logger, ConfigurationJournal? journal = null)
    {
        _file = new ReloadingFile<FrozenDictionary<string, PartnerEntry>>(path, "Partner registry", Parse, time, logger, journal: journal,
            describe: Describe);
        _file.Changed += _ => Changed?.Invoke();
    }

    /// <summary>Raised when an edit took effect (open streams are checked against it at once).</summary>
    public event Action? Changed;

    public string Path => _file.Path;

    /// <summary>What an edit changed, partner by partner: added, removed, enabled, disabled, kind or name changed.</summary>
    internal static string Describe(FrozenDictionary<string, PartnerEntry> before, FrozenDictionary<string, PartnerEntry> after)
    {
        var changes = new List<string>();
        foreach (var (id, entry) in after.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!before.TryGetValue(id, out var old))
            {
                changes.Add($"{id} added ({PartnerIdentity.KindName(entry.Kind)}, {(entry.Enabled ? "enabled" : "disabled")})");
            }
            else if (old != entry)
            {
                changes.Add(old.Enabled != entry.Enabled ? $"{id} {(entry.Enabled ? "enabled" : "disabled")}"
                    : old.Kind != entry.Kind ? $"{id} is now a {PartnerIdentity.KindName(entry.Kind)}"
                    : old.Unit != entry.Unit ? $"{id} moved in the police hierarchy ({entry.Unit?.Describe() ?? "no level"})" : $"{id} renamed");
            }
        }

        changes.AddRange(before.Keys.Where(id => !after.ContainsKey(id)).Order(StringComparer.Ordinal).Select(id => $"{id} removed"));
        return changes.Count == 0 ? "no partner changed" : string.Join("; ", changes);
    }

    public IReadOnlyCollection<PartnerEntry> All => _file.Current.Values;

    public bool TryGet(string id, out PartnerEntry entry) => _file.Current.TryGetValue(id, out entry!);

    public bool Refresh() => _file.Refresh();

    internal static FrozenDictionary<string, PartnerEntry> Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true });
        if (!doc.RootElement.TryGetProperty("partners", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("expected an object with a \"partners\" array");
        }

        var entries = new Dictionary<string, PartnerEntry>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var where = $"partners[{index++}]";
            var id = Text(item, "id", where);
            if (!PartnerIdentity.IsValidId(id))
            {
                throw new FormatException($"{where}.id '{id}' must be 2-63 characters of a-z, 0-9 and '-'");
            }

            if (!PartnerIdentity.TryParseKind(Text(item, "kind", where), out var kind))
            {
                throw new FormatException($"{where}.kind must be police, bank, carrier or auditor");
            }

            var name = item.TryGetProperty("displayName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : id;
            var enabled = !item.TryGetProperty("enabled", out var e) || e.ValueKind != JsonValueKind.False;
            var unit = PoliceUnit.Parse(item, kind, where);
            if (!entries.TryAdd(id, new PartnerEntry(id, kind, name, enabled, unit) { Duty = DutyContact.Parse(item, where) }))
            {
                throw new FormatException($"{where}.id '{id}' is listed twice");
            }
        }

        PoliceUnit.ValidateHierarchy(entries);
        return entries.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Text(JsonElement item, string name, string where) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{where}.{name} is missing or not a string");
}
