using AntiFraud.Exchange.Adapters.Bridge;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Tests.Bridge;

/// <summary>Each point a crash can interrupt a delivery leaves files that start-up recovery turns into exactly one outbox file.</summary>
public sealed class BridgeFoldersTests
{
    private static BridgeFolders NewFolders()
    {
        var folders = new BridgeFolders(Path.Combine(Path.GetTempPath(), "afx-folders-" + Guid.NewGuid().ToString("N")[..8]));
        folders.Create();
        return folders;
    }

    [Fact]
    public void Recover_StagedWithoutMarker_IsDropped_SoTheRedeliveryWritesIt()
    {
        var folders = NewFolders();
        folders.Stage("P1-a-ex-1.dat", [1, 2, 3]);
        Assert.Equal((0, 1), folders.Recover());
        Assert.False(folders.WasDelivered("ex-1"));
        Assert.Empty(Directory.GetFiles(folders.Outbox));
    }

    [Fact]
    public void Recover_MarkerCutOffBeforeItsRename_DoesNotCount()
    {
        var folders = NewFolders();
        folders.Stage("P1-a-ex-2.dat", [1]);
        File.WriteAllText(Path.Combine(folders.Delivered, "ex-2.tmp"), "P1-a-ex-2.dat");
        Assert.Equal((0, 1), folders.Recover());
        Assert.False(folders.WasDelivered("ex-2"));
        Assert.Empty(Directory.GetFiles(folders.Outbox));
        Assert.Empty(Directory.GetFiles(folders.Delivered));
    }

    [Fact]
    public void Recover_MarkedButNotRenamed_IsPublished_AndNotWrittenAgain()
    {
        var folders = NewFolders();
        folders.Stage("P1-a-ex-3.dat", [1]);
        File.WriteAllText(Path.Combine(folders.Delivered, "ex-3"), "P1-a-ex-3.dat");
        Assert.Equal((1, 0), folders.Recover());
        Assert.True(folders.WasDelivered("ex-3"));
        Assert.Single(Directory.GetFiles(folders.Outbox));
    }

    [Fact]
    public async Task AnswerPump_HubUnreachable_LeavesTheFileInPlace_NotDeadLettered()
    {
        var folders = NewFolders();
        File.Copy(Path.Combine(Samples.Folder, "fixed-width", "results.dat"), Path.Combine(folders.Answers, "results.dat"));
        var options = Options.Create(new BridgeOptions
        {
            PartnerId = "bank-beta", Hub = "https://127.0.0.1:9", Ca = DevPki.RootCaPath,
            Certificate = DevPki.PartnerCertPath("bank-beta"), Key = DevPki.PartnerKeyPath("bank-beta"),
        });
        using var hub = new HubConnection(options.Value);
        var pump = new AnswerPump(options, hub, folders, new BridgeTranslators(options.Value, TimeProvider.System),
            new DeadLetters(folders, TimeProvider.System), TimeProvider.System,
            new IdentityRefused(new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance),
                NullLogger<IdentityRefused>.Instance),
            NullLogger<AnswerPump>.Instance);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pump.ScanAsync(CancellationToken.None));
        Assert.True(HubConnection.IsTransient(error), error.ToString());
        Assert.True(File.Exists(Path.Combine(folders.Answers, "results.dat")));
        Assert.Empty(Directory.GetFiles(folders.DeadLetter));
    }
}
