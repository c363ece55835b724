namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The authorization policies, one per group of RPCs; every one also requires a partner in good standing.</summary>
internal static class HubPolicies
{
    public const string Police = "police";
    public const string Responders = "responders";
    public const string Recipients = "recipients";
    public const string Raisers = "raisers";
    public const string ReceiptHolders = "receipt-holders";
    public const string Auditors = "auditors";
    public const string Supervisors = "supervisors";

    /// <summary>Which kinds of partner each policy admits (the roles its certificates carry).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Kinds = new Dictionary<string, string[]>
    {
        [Police] = ["police"],
        [Responders] = ["bank", "carrier"],
        // Everyone with an inbox: banks and carriers get requests, police units get dissuasion instructions.
        [Recipients] = ["police", "bank", "carrier"],
        // Who raises early-warning signals (a police unit must also be a city centre).
        [Raisers] = ["police", "bank", "carrier"],
        [ReceiptHolders] = ["police", "bank", "carrier", "auditor"],
        [Auditors] = ["auditor"],
        [Supervisors] = ["police", "auditor"],
    };
}
