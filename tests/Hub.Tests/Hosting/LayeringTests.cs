using System.Text.RegularExpressions;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Hub.Tests.Hosting;

/// <summary>
/// The hub's folders form layers: each may use only the folders below it, so there are no cycles and a
/// new feature has an obvious place. The order is drawn in docs/architecture.md.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>Bottom first.</summary>
    public static readonly string[] Layers =
    [
        "Shared", "Model", "Storage", "Audit", "Identity", "Masking", "Delivery", "Deadlines", "Compliance", "Replication", "Exchanges",
        "Alerts", "Lists", "Bulk", "Services", "WebConsole", "Observability", "Hosting",
    ];

    private static string HubSource => Path.Combine(DevPki.RepoRoot, "src", "Hub");

    [Fact]
    public void EveryFolderOfTheHub_HasItsPlaceInTheLayers()
    {
        var folders = Directory.GetDirectories(HubSource).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj" or "Properties") && Directory.EnumerateFiles(Path.Combine(HubSource, f!), "*.cs", SearchOption.AllDirectories).Any());
        Assert.Empty(folders.Except(Layers));
    }

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersBelowIt()
    {
        var violations = new List<string>();
        foreach (var (folder, level) in Layers.Select((f, i) => (f, i)))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(HubSource, folder), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (var used in References(text).Where(u => u != folder))
                {
                    if (Array.IndexOf(Layers, used) > level)
                    {
                        violations.Add($"{Path.GetRelativePath(HubSource, file)} uses {used}, which is above {folder}");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void TheCheck_SeesAUsingAndAQualifiedName()
    {
        Assert.Equal(["Exchanges"], References("using AntiFraud.Exchange.Hub.Exchanges;\n"));
        Assert.Equal(["Hosting"], References("var x = AntiFraud.Exchange.Hub.Hosting.HubLog.Listening;"));
        Assert.Equal(["Compliance"], References("internal sealed class S(Compliance.ComplianceCalculator c)"));
        Assert.Empty(References("Contract.V1.Audit.AuditBase"));
    }

    /// <summary>The hub folders a source file names: by a using, a full name, or a name qualified by the folder.</summary>
    private static IEnumerable<string> References(string text) =>
        Reference().Matches(text).Select(m => m.Groups["full"].Success ? m.Groups["full"].Value : m.Groups["short"].Value)
            .Where(f => Layers.Contains(f)).Distinct();

    [GeneratedRegex(@"AntiFraud\.Exchange\.Hub\.(?<full>[A-Z]\w*)|(?<![.\w])(?<short>[A-Z]\w*)\.[A-Z]\w*")]
    private static partial Regex Reference();
}
