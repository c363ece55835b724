using System.Collections;

namespace AntiFraud.Exchange.Adapters.Tests;

/// <summary>
/// The documented sample files read to the canonical messages they stand for, and writing those
/// messages gives the files byte for byte: the formats and their documentation cannot drift apart.
/// Set AFX_WRITE_SAMPLES=1 to regenerate the files after a deliberate format change.
/// </summary>
public sealed class SampleFileTests
{
    public static TheoryData<string> Names => [.. Samples.Files().Select(f => f.File)];

    [Theory]
    [MemberData(nameof(Names))]
    public void SampleFile_ReadsToItsCanonicalMessages_AndIsWhatTheWriterProduces(string name)
    {
        var sample = Samples.Files().Single(f => f.File == name);
        var path = Path.Combine(Samples.Folder, name);
        if (Environment.GetEnvironmentVariable("AFX_WRITE_SAMPLES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, sample.Write());
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(((IEnumerable)sample.Expected).Cast<object>(), ((IEnumerable)sample.Read(bytes)).Cast<object>());
        Assert.Equal(bytes, sample.Write());
    }
}

public sealed class LayoutDocumentationTests
{
    [Fact]
    public void AdaptersDoc_HoldsTheLayoutTables_TheCodeUses()
    {
        var doc = File.ReadAllText(Path.Combine(AntiFraud.Exchange.TestSupport.DevPki.RepoRoot, "docs", "adapters.md"));
        Assert.Contains(BridgeCommands.LayoutMarkdown(), doc, StringComparison.Ordinal);
    }
}
