using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Math;
using ECCurve = Org.BouncyCastle.Math.EC.ECCurve;
using ECPoint = Org.BouncyCastle.Math.EC.ECPoint;
using Org.BouncyCastle.Security;

namespace AntiFraud.Exchange.Protocol.Screening;

/// <summary>
/// The oblivious PRF behind list screening: 2HashDH over P-256 with SHA-256, the construction RFC 9497
/// standardises (base mode). F(k, kind, value) = SHA-256(len ‖ kind ‖ value ‖ len ‖ H(kind, value)·k ‖ "Finalize").
/// The client blinds H(kind, value)·r, the hub multiplies by k without learning the value, the client multiplies by
/// r⁻¹ and finalises. Not byte-compatible with RFC 9497's test vectors: H maps to the curve by try-and-increment
/// over SHA-256 (not RFC 9380's simplified SWU) and the domain-separation strings are this project's own.
/// </summary>
public static class Oprf
{
    // BouncyCastle's optimised P-256 (special-form prime field arithmetic), not the generic curve.
    private static readonly X9ECParameters Parameters = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("P-256");
    private static readonly SecureRandom Random = new();
    private static readonly byte[] HashDomain = "afx-oprf-v1 HashToGroup P256-SHA256"u8.ToArray();
    private static readonly byte[] FinalizeLabel = "Finalize"u8.ToArray();
    private static readonly byte[] SealInfo = "afx-screening-details-v1"u8.ToArray();

    /// <summary>The size of a compressed point.</summary>
    public const int ElementSize = 33;

    private static ECCurve Curve => Parameters.Curve;

    /// <summary>A fresh secret key in [1, n-1].</summary>
    public static BigInteger NewKey()
    {
        BigInteger k;
        do
        {
            k = new BigInteger(256, Random);
        }
        while (k.SignValue == 0 || k.CompareTo(Parameters.N) >= 0);

        return k;
    }

    /// <summary>Reads a key written by <see cref="KeyToHex"/>; refuses one outside [1, n-1].</summary>
    public static BigInteger KeyFromHex(string hex)
    {
        var k = new BigInteger(1, Convert.FromHexString(hex.Trim()));
        return k.SignValue > 0 && k.CompareTo(Parameters.N) < 0 ? k : throw new CryptographicException("the OPRF key is not in [1, n-1]");
    }

    public static string KeyToHex(BigInteger key) => Convert.ToHexStringLower(key.ToByteArrayUnsigned());

    /// <summary>k·G, compressed: partners see when the key changes.</summary>
    public static byte[] PublicKey(BigInteger key) => Parameters.G.Multiply(key).Normalize().GetEncoded(true);

    /// <summary>Maps (kind, value) to a point with unknown discrete logarithm: SHA-256 of a counter, the kind and the value as an
    /// x-coordinate, the first one on the curve (about two tries on average), with the even y.</summary>
    public static ECPoint HashToGroup(ListKind kind, string value)
    {
        var input = Encoding.UTF8.GetBytes(value);
        var buffer = new byte[HashDomain.Length + 2 + input.Length];
        HashDomain.CopyTo(buffer, 0);
        buffer[HashDomain.Length] = (byte)kind;
        input.CopyTo(buffer, HashDomain.Length + 2);
        var p = Curve.Field.Characteristic;
        for (var counter = 0; counter < 256; counter++)
        {
            buffer[HashDomain.Length + 1] = (byte)counter;
            var x = new BigInteger(1, SHA256.HashData(buffer));
            if (x.CompareTo(p) >= 0)
            {
                continue;
            }

            var fx = Curve.FromBigInteger(x);
            var y = fx.Square().Add(Curve.A).Multiply(fx).Add(Curve.B).Sqrt();
            if (y is null)
            {
                continue;
            }

            if (y.TestBitZero())
            {
                y = y.Negate();
            }

            return Curve.CreatePoint(x, y.ToBigInteger());
        }

        throw new CryptographicException("no curve point in 256 tries");
    }

    /// <summary>The client's first step: a random blind r and H(kind, value)·r to send.</summary>
    public static (BigInteger Blind, byte[] Blinded) Blind(ListKind kind, string value)
    {
        var r = NewKey();
        return (r, HashToGroup(kind, value).Multiply(r).Normalize().GetEncoded(true));
    }

    /// <summary>The hub's step: the blinded element times k. Refuses anything that is not a point of the curve.</summary>
    public static byte[] Evaluate(BigInteger key, ReadOnlySpan<byte> blinded) => Decode(blinded).Multiply(key).Normalize().GetEncoded(true);

    /// <summary>The client's last step: unblind the hub's answer and finalise to F(k, kind, value).</summary>
    public static byte[] Finalize(ListKind kind, string value, BigInteger blind, ReadOnlySpan<byte> evaluated) =>
        Output(kind, value, Decode(evaluated).Multiply(blind.ModInverse(Parameters.N)).Normalize());

    /// <summary>F(k, kind, value) computed by the key's holder directly (the hub, for the entries it publishes).</summary>
    public static byte[] Direct(BigInteger key, ListKind kind, string value) =>
        Output(kind, value, HashToGroup(kind, value).Multiply(key).Normalize());

    private static byte[] Output(ListKind kind, string value, ECPoint unblinded)
    {
        var input = Encoding.UTF8.GetBytes(value);
        var element = unblinded.GetEncoded(true);
        var buffer = new byte[2 + 1 + input.Length + 2 + element.Length + FinalizeLabel.Length];
        var at = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), (ushort)(input.Length + 1));
        at += 2;
        buffer[at++] = (byte)kind;
        input.CopyTo(buffer, at);
        at += input.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), (ushort)element.Length);
        at += 2;
        element.CopyTo(buffer, at);
        at += element.Length;
        FinalizeLabel.CopyTo(buffer, at);
        return SHA256.HashData(buffer);
    }

    private static ECPoint Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != ElementSize)
        {
            throw new CryptographicException($"an element is {ElementSize} bytes (a compressed P-256 point), not {encoded.Length}");
        }

        ECPoint point;
        try
        {
            point = Curve.DecodePoint(encoded.ToArray());
        }
        catch (ArgumentException e)
        {
            throw new CryptographicException("not a point of P-256", e);
        }

        return point.IsInfinity || !point.IsValid() ? throw new CryptographicException("not a valid point of P-256") : point;
    }

    /// <summary>Seals an entry's details under a key only its PRF output derives: AES-256-GCM, nonce ‖ ciphertext ‖ tag.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> output, ReadOnlySpan<byte> details)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, output.ToArray(), 32, info: SealInfo);
        var sealedBytes = new byte[12 + details.Length + 16];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(sealedBytes.AsSpan(0, 12), details, sealedBytes.AsSpan(12, details.Length), sealedBytes.AsSpan(12 + details.Length));
        return sealedBytes;
    }

    /// <summary>Opens what <see cref="Seal"/> sealed; throws when the output is not the one it was sealed under.</summary>
    public static byte[] Open(ReadOnlySpan<byte> output, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < 28)
        {
            throw new CryptographicException("sealed details are too short");
        }

        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, output.ToArray(), 32, info: SealInfo);
        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedBytes[..12], sealedBytes[12..^16], sealedBytes[^16..], plain);
        return plain;
    }
}
