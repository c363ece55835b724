using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Clients;

/// <summary>
/// afx audit: offline verification, with no access to the hub's storage. Exit codes: 0 verified,
/// 1 tampering or a failed proof, 2 usage error.
/// </summary>
internal static class AuditCommands
{
    public const string Usage = """
        afx audit verify-segment --log FILE [--history FILE] --checkpoint FILE [--checkpoint FILE ...] [--key PEM] [--origin NAME]
            Verify an exported log segment (the hub's audit.log) against signed checkpoints: framing, order, content.
            With the hub's audit.history (a signed checkpoint per fsync'd batch), an edited entry is named exactly.
        afx audit verify-inclusion --checkpoint FILE --index N --leaf-hash HEX --proof HEX[,HEX...] [--key PEM] [--origin NAME]
            Verify that a receipt's entry is in the tree of a signed checkpoint.
        afx audit verify-consistency --old FILE --new FILE --proof HEX[,HEX...] [--key PEM] [--origin NAME]
            Verify that the newer checkpoint's tree extends the older one (nothing rewritten).
        afx audit evidence --log FILE --exchange ID
            Show from the log entries alone when an exchange was submitted, delivered, acknowledged and answered, against its deadline.

        --key defaults to certs-dev/audit/log-signing.pub, --origin to antifraud.exchange/dev-hub.
        """;

    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var options = Options(args[2..]);
        string One(string name) => options.TryGetValue(name, out var v) && v.Count > 0
            ? v[0]
            : throw new ArgumentException($"--{name} is required. Run 'afx audit' for usage.");
        var origin = options.TryGetValue("origin", out var o) ? o[0] : "antifraud.exchange/dev-hub";
        ECDsa Key()
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(options.TryGetValue("key", out var k) ? k[0] : "certs-dev/audit/log-signing.pub"));
            return key;
        }

        List<byte[]> Proof() => One("proof").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Convert.FromHexString).ToList();

        try
        {
            switch (args[1])
            {
                case "verify-segment":
                {
                    using var key = Key();
                    var history = options.TryGetValue("history", out var h) && h.Count > 0 ? File.ReadAllBytes(h[0]) : null;
                    var report = SegmentVerifier.Verify(File.ReadAllBytes(One("log")), options.GetValueOrDefault("checkpoint", []).Select(File.ReadAllText), origin, key,
                        history: history);
                    Console.WriteLine(report);
                    return report.Valid ? 0 : 1;
                }

                case "verify-inclusion":
                {
                    using var key = Key();
                    var checkpoint = SignedCheckpoint.Verify(File.ReadAllText(One("checkpoint")), origin, key);
                    var index = long.Parse(One("index"), CultureInfo.InvariantCulture);
                    var ok = MerkleVerifier.VerifyInclusion(index, checkpoint.Size, Convert.FromHexString(One("leaf-hash")), Proof(), checkpoint.RootHash);
                    Console.WriteLine(ok ? $"OK: entry {index} is in the log of size {checkpoint.Size}." : $"FAILED: entry {index} is not proven in the log of size {checkpoint.Size}.");
                    return ok ? 0 : 1;
                }

                case "verify-consistency":
                {
                    using var key = Key();
                    var old = SignedCheckpoint.Verify(File.ReadAllText(One("old")), origin, key);
                    var @new = SignedCheckpoint.Verify(File.ReadAllText(One("new")), origin, key);
                    var ok = MerkleVerifier.VerifyConsistency(old.Size, @new.Size, old.RootHash, @new.RootHash, Proof());
                    Console.WriteLine(ok ? $"OK: the log of size {@new.Size} extends the log of size {old.Size}." : $"FAILED: the log of size {@new.Size} does not extend the log of size {old.Size}: history was rewritten.");
                    return ok ? 0 : 1;
                }

                case "evidence":
                    return Evidence(File.ReadAllBytes(One("log")), One("exchange"));

                default:
                    Console.Error.WriteLine($"afx audit: unknown command '{args[1]}'.\n{Usage}");
                    return 2;
            }
        }
        catch (Exception ex) when (ex is CryptographicException)
        {
            Console.WriteLine("FAILED: " + ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException)
        {
            Console.Error.WriteLine("afx audit: " + ex.Message);
            return 2;
        }
    }

    private static int Evidence(byte[] segment, string exchangeId)
    {
        var steps = new List<AuditEntry>();
        for (var position = 0; position + 4 <= segment.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(position));
            var entry = AuditEntry.Parser.ParseFrom(segment.AsSpan(position + 4, length));
            if (entry.ExchangeId == exchangeId)
            {
                steps.Add(entry);
            }

            position += 4 + length;
        }

        if (steps.Count == 0)
        {
            Console.WriteLine($"No entries for exchange {exchangeId}.");
            return 1;
        }

        DateTimeOffset? deadline = null;
        foreach (var step in steps)
        {
            var marker = step.Detail.IndexOf("deadline ", StringComparison.Ordinal);
            if (step.Kind == AuditEventKind.Submitted && marker >= 0)
            {
                deadline = DateTimeOffset.Parse(step.Detail[(marker + 9)..], CultureInfo.InvariantCulture);
            }

            var late = deadline is { } d && step.At.ToDateTimeOffset() > d && step.Kind is AuditEventKind.Answered or AuditEventKind.Acknowledged ? "  LATE" : string.Empty;
            Console.WriteLine($"#{step.Index,-8} {step.At.ToDateTimeOffset():u}  {step.Kind,-14} {step.Actor?.Id ?? "hub",-18}{late}");
        }

        var answered = steps.LastOrDefault(s => s.Kind == AuditEventKind.Answered);
        Console.WriteLine(deadline is null
            ? "Deadline: not recorded."
            : answered is null
                ? $"Deadline {deadline:u}: not answered in this segment."
                : $"Deadline {deadline:u}: answered {(answered.At.ToDateTimeOffset() <= deadline ? "on time" : "LATE")}, {(answered.At.ToDateTimeOffset() - deadline.Value).Duration():g} {(answered.At.ToDateTimeOffset() <= deadline ? "before" : "after")} it.");
        return 0;
    }

    private static Dictionary<string, List<string>> Options(string[] args)
    {
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            var name = args[i][2..];
            if (!options.TryGetValue(name, out var list))
            {
                options[name] = list = [];
            }

            list.Add(args[++i]);
        }

        return options;
    }
}
