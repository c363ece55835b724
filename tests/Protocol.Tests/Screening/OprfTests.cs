using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Screening;
using FsCheck;
using FsCheck.Fluent;

namespace AntiFraud.Exchange.Protocol.Tests.Screening;

/// <summary>The oblivious PRF: screening through blind, evaluate and finalise answers exactly as a plain set lookup would.</summary>
public sealed class OprfTests
{
    private static readonly Org.BouncyCastle.Math.BigInteger Key = Oprf.NewKey();

    private static byte[] Screen(Org.BouncyCastle.Math.BigInteger key, ListKind kind, string value)
    {
        var (blind, blinded) = Oprf.Blind(kind, value);
        return Oprf.Finalize(kind, value, blind, Oprf.Evaluate(key, blinded));
    }

    [Fact]
    public void Screening_AgreesWithAPlainSetLookup_OnRandomData()
    {
        var phone = Gen.Choose(0, 400).Select(n => $"+8613800{n:D6}");
        Prop.ForAll(Gen.ArrayOf(phone).ToArbitrary(), Gen.ArrayOf(phone).ToArbitrary(), (listed, held) =>
        {
            var published = listed.Select(v => Convert.ToHexString(Oprf.Direct(Key, ListKind.Phone, v))).ToHashSet();
            var plain = listed.ToHashSet();
            return held.All(v => published.Contains(Convert.ToHexString(Screen(Key, ListKind.Phone, v))) == plain.Contains(v));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30));
    }

    [Fact]
    public void TheOutput_DependsOnTheKey_TheKind_AndTheValue_NotOnTheBlind()
    {
        var a = Screen(Key, ListKind.Phone, "+8613800138000");
        Assert.Equal(a, Screen(Key, ListKind.Phone, "+8613800138000"));
        Assert.NotEqual(a, Screen(Key, ListKind.Phone, "+8613800138001"));
        Assert.NotEqual(a, Screen(Key, ListKind.Account, "+8613800138000"));
        Assert.NotEqual(a, Screen(Oprf.NewKey(), ListKind.Phone, "+8613800138000"));

        // The blinded element the hub sees differs every time: it cannot link two screenings of one value.
        Assert.NotEqual(Oprf.Blind(ListKind.Phone, "+8613800138000").Blinded, Oprf.Blind(ListKind.Phone, "+8613800138000").Blinded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(65)]
    public void Evaluate_RefusesWhatIsNotAPoint(int length)
    {
        Assert.Throws<CryptographicException>(() => Oprf.Evaluate(Key, new byte[length]));
        // x = 2^256 - 1 is not an element of P-256's field.
        var notOnCurve = Enumerable.Repeat((byte)0xFF, 33).ToArray();
        notOnCurve[0] = 2;
        Assert.ThrowsAny<CryptographicException>(() => Oprf.Evaluate(Key, notOnCurve));
    }

    [Fact]
    public void SealedDetails_OpenOnlyWithTheirOutput()
    {
        var output = Oprf.Direct(Key, ListKind.Account, "bank-beta:6222990000007777");
        var sealedBytes = Oprf.Seal(output, "case SZ-1"u8);
        Assert.Equal("case SZ-1"u8.ToArray(), Oprf.Open(output, sealedBytes));
        var other = Oprf.Direct(Key, ListKind.Account, "bank-beta:6222990000007778");
        Assert.ThrowsAny<CryptographicException>(() => Oprf.Open(other, sealedBytes));
    }

    [Theory]
    [InlineData(ListKind.Phone, "138 0013 8000", "+8613800138000")]
    [InlineData(ListKind.Phone, "0085230001234", "+85230001234")]
    [InlineData(ListKind.Account, "BANK-BETA: 6222-9900 0000 7777", "bank-beta:6222990000007777")]
    [InlineData(ListKind.Domain, "HTTPS://Safe-Account.example.COM/", "safe-account.example.com")]
    [InlineData(ListKind.Imei, "35-209900-176148-1", "352099001761481")]
    [InlineData(ListKind.Phone, "12", null)]
    public void Values_AreNormalisedTheSameWayOnBothSides(ListKind kind, string value, string? expected) =>
        Assert.Equal(expected, ListValues.Normalize(kind, value));
}
