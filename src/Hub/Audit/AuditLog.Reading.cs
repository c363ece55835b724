using System.Buffers.Binary;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>Reading the log back: entries, and proofs of inclusion and consistency for receipt holders.</summary>
internal sealed partial class AuditLog
{
    public (List<byte[]> Proof, byte[] LeafHash) InclusionProof(long index, long size)
    {
        lock (_gate)
        {
            CheckSize(size);
            return (_tree.InclusionProof(index, size), _tree.LeafHash(index));
        }
    }

    public List<byte[]> ConsistencyProof(long first, long second)
    {
        lock (_gate)
        {
            CheckSize(second);
            return _tree.ConsistencyProof(first, second);
        }
    }

    private void CheckSize(long size)
    {
        if (size > _size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"The log holds {_size} receipted entries, not {size}.");
        }
    }

    /// <summary>Reads committed entries [start, end) from the file, in index order.</summary>
    public IEnumerable<AuditEntry> Read(long start, long end)
    {
        long[] offsets;
        lock (_gate)
        {
            end = Math.Min(end, _size);
            if (start >= end)
            {
                yield break;
            }

            offsets = _files.ReadOffsets(start, (int)(end - start));
        }

        using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var header = new byte[4];
        for (var i = 0; i < offsets.Length; i++)
        {
            reader.Position = offsets[i];
            reader.ReadExactly(header);
            var data = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
            reader.ReadExactly(data);
            var entry = AuditEntry.Parser.ParseFrom(data);
            entry.LeafData = ByteString.CopyFrom(data);
            entry.LeafHash = ByteString.CopyFrom(MerkleHash.Leaf(data));
            yield return entry;
        }
    }
}
