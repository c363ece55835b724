using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Protocol.Tests.Transparency;

public sealed class MerkleTreeTests
{
    // The Certificate Transparency test leaves and their roots (also recomputed independently in Python).
    private static readonly byte[][] CtLeaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    private static readonly string[] CtRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static MerkleTree Tree(int size)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < size; i++)
        {
            tree.Append(MerkleHash.Leaf(i < CtLeaves.Length ? CtLeaves[i] : BitConverter.GetBytes(i)));
        }

        return tree;
    }

    [Fact]
    public void Root_MatchesTheRfc6962TestVectors()
    {
        var tree = Tree(8);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(tree.Root(0)));
        for (var size = 1; size <= 8; size++)
        {
            Assert.Equal(CtRoots[size - 1], Convert.ToHexStringLower(tree.Root(size)));
        }
    }

    [Fact]
    public void InclusionProofs_VerifyForEveryLeafOfEverySize_AndFailWhenTampered()
    {
        var tree = Tree(70);
        for (var size = 1; size <= 70; size++)
        {
            var root = tree.Root(size);
            for (var index = 0; index < size; index++)
            {
                var proof = tree.InclusionProof(index, size);
                Assert.True(MerkleVerifier.VerifyInclusion(index, size, tree.LeafHash(index), proof, root), $"{index}/{size}");
                if (size > 1)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion((index + 1) % size, size, tree.LeafHash(index), proof, root));
                    var bent = proof.Select(p => (byte[])p.Clone()).ToList();
                    bent[0][0] ^= 1;
                    Assert.False(MerkleVerifier.VerifyInclusion(index, size, tree.LeafHash(index), bent, root));
                }
            }
        }
    }

    [Fact]
    public void ConsistencyProofs_VerifyForEveryPairOfSizes_AndFailAgainstAnotherHistory()
    {
        var tree = Tree(70);
        var other = new MerkleTree();
        for (var i = 0; i < 70; i++)
        {
            other.Append(MerkleHash.Leaf(i == 5 ? [0xEE] : i < CtLeaves.Length ? CtLeaves[i] : BitConverter.GetBytes(i)));
        }

        for (var second = 1; second <= 70; second++)
        {
            for (var first = 1; first <= second; first++)
            {
                var proof = tree.ConsistencyProof(first, second);
                Assert.True(MerkleVerifier.VerifyConsistency(first, second, tree.Root(first), tree.Root(second), proof), $"{first}->{second}");
                if (first > 5 && first < second)
                {
                    // A log that rewrote leaf 5 cannot prove it extends the honest tree.
                    Assert.False(MerkleVerifier.VerifyConsistency(first, second, other.Root(first), tree.Root(second), proof));
                }
            }
        }
    }
}
