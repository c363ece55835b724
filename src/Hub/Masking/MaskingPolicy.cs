using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>config/masking.json, re-read when the operator edits it.</summary>
internal sealed class MaskingPolicy(ReloadingFile<MaskingRules> file)
{
    public MaskingRules Current => file.Current;

    public bool Refresh() => file.Refresh();
}
