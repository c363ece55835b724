using System.Security.Cryptography;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Protocol.Tests.Transparency;

public sealed class SignedCheckpointTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static CheckpointBody Body() => new("antifraud.exchange/dev-hub", 42, MerkleHash.Leaf([1, 2, 3]), DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));

    [Fact]
    public void SignThenVerify_GivesBackTheTreeHead_InTheC2spLayout()
    {
        var note = SignedCheckpoint.Sign(Body(), "antifraud.exchange/dev-hub", Key);
        var lines = note.Split('\n');
        Assert.Equal("antifraud.exchange/dev-hub", lines[0]);
        Assert.Equal("42", lines[1]);
        Assert.Equal(Convert.ToBase64String(Body().RootHash), lines[2]);
        Assert.Equal("time 1795000000", lines[3]);
        Assert.Equal("", lines[4]);
        Assert.StartsWith("\u2014 antifraud.exchange/dev-hub ", lines[5], StringComparison.Ordinal);

        var body = SignedCheckpoint.Verify(note, "antifraud.exchange/dev-hub", Key);
        Assert.Equal(42, body.Size);
        Assert.Equal(Body().RootHash, body.RootHash);
        Assert.Equal(Body().Time, body.Time);
    }

    [Fact]
    public void Verify_ForgedSize_IsRejected()
    {
        var note = SignedCheckpoint.Sign(Body(), "antifraud.exchange/dev-hub", Key).Replace("\n42\n", "\n43\n", StringComparison.Ordinal);
        Assert.Throws<CryptographicException>(() => SignedCheckpoint.Verify(note, "antifraud.exchange/dev-hub", Key));
    }

    [Fact]
    public void Verify_SignedByAnotherKey_IsRejected()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var note = SignedCheckpoint.Sign(Body(), "antifraud.exchange/dev-hub", other);
        var ex = Assert.Throws<CryptographicException>(() => SignedCheckpoint.Verify(note, "antifraud.exchange/dev-hub", Key));
        Assert.Contains("no signature", ex.Message, StringComparison.Ordinal);
    }
}
