using System.Threading.Channels;

namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>One change to an operator-edited file: taken (with what changed) or refused (with why).</summary>
internal sealed record ConfigurationChange(string What, string Path, bool Taken, string? PreviousSha256, string Sha256, string Summary);

/// <summary>
/// Every configuration file the hub loads or reloads reports here, from the first load on; the audit
/// log takes the reports from it (ConfigurationAudit), so disabling a partner or loosening a masking
/// rule is in the tamper-evident log. Bounded: a file flapping faster than the log can take it drops
/// the oldest reports, and says so.
/// </summary>
internal sealed class ConfigurationJournal
{
    private readonly Channel<ConfigurationChange> _changes = Channel.CreateBounded<ConfigurationChange>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Report(ConfigurationChange change) => _changes.Writer.TryWrite(change);

    public ChannelReader<ConfigurationChange> Changes => _changes.Reader;
}
