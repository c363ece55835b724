using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Masking;

/// <summary>
/// One rule of the masking policy. Every condition is optional (absent = any); the first rule whose
/// conditions all hold decides the field's transform.
/// </summary>
public sealed record MaskingRule(
    string Name,
    PartnerKind? Recipient,
    bool? Submitter,
    IReadOnlySet<LegalBasis>? Bases,
    IReadOnlySet<Request.KindOneofCase>? RequestKinds,
    IReadOnlySet<DataClass>? Classes,
    string[]? Path,
    MaskTransform Transform,
    int KeepLast,
    char MaskChar,
    int? MaskLength)
{
    public bool Matches(in MaskingContext context, DataClass dataClass, string[] path) =>
        (Recipient is null || Recipient == context.Recipient.Kind)
        && (Submitter is null || Submitter == context.RecipientIsSubmitter)
        && (Bases is null || Bases.Contains(context.LegalBasis))
        && (RequestKinds is null || RequestKinds.Contains(context.RequestKind))
        && (Classes is null || Classes.Contains(dataClass))
        && (Path is null || PathMatches(Path, path));

    /// <summary>A pattern of segments ('*' = any one segment) matches a prefix of the field path.</summary>
    private static bool PathMatches(string[] pattern, string[] path)
    {
        if (pattern.Length > path.Length)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != "*" && pattern[i] != path[i])
            {
                return false;
            }
        }

        return true;
    }
}
