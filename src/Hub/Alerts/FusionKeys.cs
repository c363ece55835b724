using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// The keys signals about one person fuse on: the store's blind indexes (keyed hashes under the store's own index key, which a
/// rotation of the master key or of the pseudonym secret leaves as it is) of the normalised phone, ID number and account. The store
/// compares these, never clear values, and no partner ever sees them.
/// </summary>
internal sealed class FusionKeys(IStoreKeyRing store)
{
    /// <summary>Keeps these indexes apart from the store's other blind indexes.</summary>
    private const string Purpose = "alert-fusion\n";

    public IReadOnlyList<string> For(PotentialVictim victim)
    {
        var list = new List<string>(3);
        if (NormalisedPhone(victim.Person?.Phone?.E164) is { } phone)
        {
            list.Add(Key(DataClass.PhoneNumber, phone));
        }

        if (NormalisedId(victim.Person?.NationalId) is { } id)
        {
            list.Add(Key(DataClass.NationalId, id));
        }

        if (victim.Account is { AccountNumber.Length: > 0 } account)
        {
            list.Add(Key(DataClass.AccountNumber, account.BankId + "\n" + Compact(account.AccountNumber)));
        }

        return list;
    }

    private string Key(DataClass dataClass, string value) =>
        store.Cipher.BlindIndex(Purpose + ((int)dataClass).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + value);

    /// <summary>Digits only, with China's country code added to an 11-digit mobile number: "+86 138-0013-8000" and "13800138000"
    /// match.</summary>
    public static string? NormalisedPhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        if (digits.Length == 11 && digits[0] == '1')
        {
            digits = "86" + digits;
        }

        return digits.Length >= 5 ? digits : null;
    }

    public static string? NormalisedId(string? id)
    {
        var compact = Compact(id ?? string.Empty).ToUpperInvariant();
        return compact.Length >= 6 ? compact : null;
    }

    private static string Compact(string value) => new([.. value.Where(char.IsAsciiLetterOrDigit)]);
}
