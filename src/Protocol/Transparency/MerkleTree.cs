using System.Security.Cryptography;

namespace AntiFraud.Exchange.Protocol.Transparency;

/// <summary>RFC 6962 / RFC 9162 hashing: leaves and interior nodes are domain-separated by a prefix byte.</summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] Empty() => SHA256.HashData([]);

    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var input = new byte[1 + data.Length];
        data.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * Size)];
        input[0] = 1;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two smaller than n (n &gt; 1).</summary>
    internal static long SplitPoint(long n)
    {
        var k = 1L;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }
}

/// <summary>
/// Where a <see cref="MerkleTree"/> keeps its complete subtrees: level h, index i is the hash of leaves
/// [i·2^h, (i+1)·2^h). Levels only grow at the end, or are cut back to a length.
/// </summary>
public interface IMerkleLevels
{
    /// <summary>How many levels hold at least one hash.</summary>
    int Height { get; }

    long Count(int level);

    byte[] Get(int level, long index);

    /// <summary>Appends to a level; level <see cref="Height"/> starts a new one.</summary>
    void Add(int level, byte[] hash);

    /// <summary>Keeps the first <paramref name="count"/> hashes of the level.</summary>
    void Truncate(int level, long count);
}

/// <summary>
/// An append-only Merkle tree over leaf hashes that keeps every complete power-of-two subtree, so the
/// root of any prefix and the inclusion and consistency proofs (RFC 6962 §2.1) take O(log² n) hashes
/// rather than a pass over the leaves. About two hashes per leaf, in memory by default or wherever the
/// given <see cref="IMerkleLevels"/> keeps them. Not thread-safe: the log's single appender owns it.
/// </summary>
public sealed class MerkleTree(IMerkleLevels levels)
{
    public MerkleTree()
        : this(new MemoryLevels())
    {
    }

    public long Size => levels.Height == 0 ? 0 : levels.Count(0);

    public void Append(byte[] leafHash)
    {
        levels.Add(0, leafHash);
        for (var h = 0; levels.Count(h) % 2 == 0; h++)
        {
            var count = levels.Count(h);
            levels.Add(h + 1, MerkleHash.Node(levels.Get(h, count - 2), levels.Get(h, count - 1)));
        }
    }

    public byte[] LeafHash(long index) => levels.Get(0, index);

    /// <summary>Drops every leaf from <paramref name="size"/> on (leaves appended but never committed).</summary>
    public void Truncate(long size)
    {
        Check(size);
        for (var h = 0; h < levels.Height; h++)
        {
            if (levels.Count(h) > size >> h)
            {
                levels.Truncate(h, size >> h);
            }
        }
    }

    /// <summary>MTH(D[0:size]).</summary>
    public byte[] Root(long size)
    {
        Check(size);
        return size == 0 ? MerkleHash.Empty() : Subtree(0, size);
    }

    /// <summary>PATH(index, D[0:size]): the audit path proving leaf <paramref name="index"/> is in the tree of that size.</summary>
    public List<byte[]> InclusionProof(long index, long size)
    {
        Check(size);
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Leaf {index} is not in a tree of size {size}.");
        }

        var proof = new List<byte[]>();
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>PROOF(first, D[0:second]): proves the tree of size <paramref name="first"/> is a prefix of the tree of size <paramref
    /// name="second"/>.</summary>
    public List<byte[]> ConsistencyProof(long first, long second)
    {
        Check(second);
        if (first < 0 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"A tree of size {first} cannot be a prefix of one of size {second}.");
        }

        var proof = new List<byte[]>();
        if (first > 0 && first < second)
        {
            SubProof(first, 0, second, complete: true, proof);
        }

        return proof;
    }

    private void Path(long index, long start, long count, List<byte[]> proof)
    {
        if (count <= 1)
        {
            return;
        }

        var k = MerkleHash.SplitPoint(count);
        if (index < k)
        {
            Path(index, start, k, proof);
            proof.Add(Subtree(start + k, count - k));
        }
        else
        {
            Path(index - k, start + k, count - k, proof);
            proof.Add(Subtree(start, k));
        }
    }

    private void SubProof(long m, long start, long count, bool complete, List<byte[]> proof)
    {
        if (m == count)
        {
            if (!complete)
            {
                proof.Add(Subtree(start, count));
            }

            return;
        }

        var k = MerkleHash.SplitPoint(count);
        if (m <= k)
        {
            SubProof(m, start, k, complete, proof);
            proof.Add(Subtree(start + k, count - k));
        }
        else
        {
            SubProof(m - k, start + k, count - k, false, proof);
            proof.Add(Subtree(start, k));
        }
    }

    /// <summary>MTH(D[start:start+count]), from stored complete subtrees where the range is one.</summary>
    private byte[] Subtree(long start, long count)
    {
        if ((count & (count - 1)) == 0 && start % count == 0)
        {
            var height = System.Numerics.BitOperations.Log2((ulong)count);
            return levels.Get(height, start / count);
        }

        var k = MerkleHash.SplitPoint(count);
        return MerkleHash.Node(Subtree(start, k), Subtree(start + k, count - k));
    }

    private void Check(long size)
    {
        if (size < 0 || size > Size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"The tree has {Size} leaves, not {size}.");
        }
    }
}

/// <summary>Levels held in lists: for offline tools and trees that fit in memory.</summary>
internal sealed class MemoryLevels : IMerkleLevels
{
    private readonly List<List<byte[]>> _levels = [];

    public int Height => _levels.Count;

    public long Count(int level) => level < _levels.Count ? _levels[level].Count : 0;

    public byte[] Get(int level, long index) => _levels[level][checked((int)index)];

    public void Add(int level, byte[] hash)
    {
        if (level == _levels.Count)
        {
            _levels.Add([]);
        }

        _levels[level].Add(hash);
    }

    public void Truncate(int level, long count) => _levels[level].RemoveRange((int)count, _levels[level].Count - (int)count);
}

/// <summary>Checks proofs with nothing but hashes (RFC 9162 §2.1.3.2 and §2.1.4.2): what an offline verifier runs.</summary>
public static class MerkleVerifier
{
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof,
        ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size)
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot,
        IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || first > second)
        {
            return false;
        }

        if (first == second)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (first == 0)
        {
            return proof.Count == 0;
        }

        var path = new List<byte[]>(proof.Count + 1);
        if ((first & (first - 1)) == 0)
        {
            path.Add(firstRoot.ToArray());
        }

        path.AddRange(proof);
        if (path.Count == 0)
        {
            return false;
        }

        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }
}
