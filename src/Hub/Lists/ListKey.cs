using AntiFraud.Exchange.Protocol.Screening;
using Org.BouncyCastle.Math;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>The hub's OPRF key for list screening, read once at start; a missing or invalid key stops start-up with its path.</summary>
internal sealed class ListKey
{
    public ListKey(string path)
    {
        try
        {
            Key = Oprf.KeyFromHex(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or FormatException or System.Security.Cryptography.CryptographicException
            or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Hub:Lists:KeyPath '{path}': not a usable OPRF key ({e.Message}). Make one with "
                + "'openssl rand -hex 32 > FILE' and give every replica the same file.", e);
        }

        PublicKey = Oprf.PublicKey(Key);
    }

    public BigInteger Key { get; }

    public byte[] PublicKey { get; }
}
