using System.Buffers.Binary;

namespace AntiFraud.Exchange.Hub.Tests.Audit;

/// <summary>Reading an audit log file the way a test damages it: where each length-prefixed entry starts.</summary>
internal static class AuditLogFiles
{
    /// <summary>The byte offset of every entry in the log file, in order.</summary>
    public static List<long> EntryOffsets(string logPath)
    {
        var bytes = File.ReadAllBytes(logPath);
        var offsets = new List<long>();
        for (long position = 0; position + 4 <= bytes.Length;)
        {
            offsets.Add(position);
            position += 4 + BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)position));
        }

        return offsets;
    }
}
