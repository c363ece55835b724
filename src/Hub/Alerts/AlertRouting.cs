using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>One police unit an alert goes to, and why.</summary>
internal sealed record AlertTarget(PartnerEntry Unit, AlertRole Role);

/// <summary>
/// Routes an alert down the police hierarchy in the registry: the district centre covering the victim's
/// six-digit division code, and the station covering its nine-digit township when there is one; without a
/// usable code (or no unit covering it), the city centre's locate queue. Also answers who sits above whom.
/// </summary>
internal sealed class AlertRouting(PartnerRegistry registry, AlertPolicy policy)
{
    public IReadOnlyList<AlertTarget> Route(string divisionCode)
    {
        var units = registry.All.Where(p => p is { Kind: PartnerKind.Police, Enabled: true, Unit: not null }).ToList();
        var targets = new List<AlertTarget>();
        if (PoliceUnit.IsDivisionCode(divisionCode))
        {
            if (Covering(units, PoliceLevel.District, divisionCode) is { } district)
            {
                targets.Add(new AlertTarget(district, AlertRole.District));
            }

            if (divisionCode.Length >= 9 && Covering(units, PoliceLevel.Station, divisionCode) is { } station)
            {
                targets.Add(new AlertTarget(station, AlertRole.Station));
            }
        }

        if (targets.Count == 0 && LocateUnit(units, divisionCode) is { } city)
        {
            targets.Add(new AlertTarget(city, AlertRole.Locate));
        }

        return targets;
    }

    /// <summary>The most specific unit of a level whose division codes cover the code.</summary>
    private static PartnerEntry? Covering(List<PartnerEntry> units, PoliceLevel level, string code) =>
        units.Where(u => u.Unit!.Level == level)
            .Select(u => (Unit: u, Best: u.Unit!.Divisions.Select(PoliceUnit.CoveredPrefix)
                .Where(p => code.StartsWith(p, StringComparison.Ordinal)).Select(p => p.Length).DefaultIfEmpty(-1).Max()))
            .Where(x => x.Best >= 0)
            .OrderByDescending(x => x.Best).ThenBy(x => x.Unit.Id, StringComparer.Ordinal)
            .Select(x => x.Unit).FirstOrDefault();

    /// <summary>The city covering the code, else the configured locate unit, else the first city in the registry.</summary>
    private PartnerEntry? LocateUnit(List<PartnerEntry> units, string code)
    {
        if (PoliceUnit.IsDivisionCode(code) && Covering(units, PoliceLevel.City, code) is { } city)
        {
            return city;
        }

        var configured = policy.Current.LocateUnit;
        return units.FirstOrDefault(u => u.Id == configured)
            ?? units.Where(u => u.Unit!.Level == PoliceLevel.City).OrderBy(u => u.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>An enabled police unit of the registry, or null.</summary>
    public PartnerEntry? Unit(string unitId) =>
        registry.TryGet(unitId, out var entry) && entry is { Kind: PartnerKind.Police, Enabled: true } ? entry : null;

    /// <summary>The unit's parent, when it has one that is registered and enabled.</summary>
    public PartnerEntry? Parent(string unitId) =>
        registry.TryGet(unitId, out var entry) && entry.Unit?.Parent is { } parent && registry.TryGet(parent, out var up) && up.Enabled
            ? up
            : null;

    /// <summary>The top of the unit's hierarchy (its city centre); the unit itself when it has no parent.</summary>
    public string Root(string unitId)
    {
        var id = unitId;
        for (var depth = 0; depth < 8 && registry.TryGet(id, out var entry) && entry.Unit?.Parent is { } parent; depth++)
        {
            id = parent;
        }

        return id;
    }

    /// <summary>Whether <paramref name="unitId"/> is <paramref name="assigned"/> or sits above it.</summary>
    public bool IsAtOrAbove(string unitId, string assigned)
    {
        var id = assigned;
        for (var depth = 0; depth < 8; depth++)
        {
            if (id == unitId)
            {
                return true;
            }

            if (!registry.TryGet(id, out var entry) || entry.Unit?.Parent is not { } parent)
            {
                return false;
            }

            id = parent;
        }

        return false;
    }

    public bool IsCity(string unitId) => registry.TryGet(unitId, out var e) && e.Unit?.Level == PoliceLevel.City;

    /// <summary>A city centre, or a unit the registry lets publish risk-list entries.</summary>
    public bool MayPublishLists(string unitId) => registry.TryGet(unitId, out var e) && e.Unit?.MayPublishLists == true;
}
