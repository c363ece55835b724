using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Transparency;

namespace AntiFraud.Exchange.Clients.Operator;

/// <summary>
/// afx audit verify-segment | verify-inclusion | verify-consistency | evidence: offline verification of
/// exported logs and receipts, with no access to the hub. Exit 0 verified, 1 tampering or a failed
/// proof, 2 bad usage (a missing file, a malformed hash).
/// </summary>
internal static class OfflineAuditCommands
{
    private static readonly Option<string?> LogKey = new("--log-key")
    {
        Description = "the audit log's public keys, PEM: one, or after a key rotation all of them, as the hub's audit.keys lists them (default certs-dev/audit/log-signing.pub)",
    };

    private static readonly Option<string> Origin = new("--origin")
    {
        Description = "the log's origin line (default antifraud.exchange/dev-hub)",
        DefaultValueFactory = _ => "antifraud.exchange/dev-hub",
    };

    public static IEnumerable<Command> All() => [VerifySegment(), VerifyInclusion(), VerifyConsistency(), Evidence()];

    private static Command VerifySegment()
    {
        var log = new Option<FileInfo>("--log") { Description = "the exported log segment (the hub's audit.log)", Required = true };
        var history = new Option<FileInfo?>("--history") { Description = "the hub's audit.history: an edited entry is then named exactly" };
        var checkpoints = new Option<FileInfo[]>("--checkpoint")
        {
            Description = "a signed checkpoint (repeat for several); at least one, or --history", AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("verify-segment", """
            Verify an exported log segment against signed checkpoints: framing, order and content of every entry.
            Exit 0 verified, 1 the segment does not match (tampering), 2 bad usage.
            Example:
              afx audit verify-segment --log data/audit/audit.log --checkpoint checkpoint.txt
            """) { log, history, checkpoints, LogKey, Origin };
        Offline(command, r =>
        {
            if (r.GetValue(checkpoints) is not { Length: > 0 } && r.GetValue(history) is null)
            {
                throw new UsageException("give at least one --checkpoint FILE, or the hub's --history FILE, to verify the segment against.");
            }

            var key = Key(r);
            var report = SegmentVerifier.Verify(Read(r.GetValue(log)!), (r.GetValue(checkpoints) ?? []).Select(f => Text(f)),
                r.GetValue(Origin)!, key,
                history: r.GetValue(history) is { } h ? Read(h) : null);
            return Say(r, report.Valid, report.ToString(), new { valid = report.Valid, entries = report.Entries, message = report.Message,
                index = report.Index });
        });
        return command;
    }

    private static Command VerifyInclusion()
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "the signed checkpoint", Required = true };
        var index = new Option<long>("--index") { Description = "the receipt's leaf index", Required = true };
        var leaf = new Option<string>("--leaf-hash") { Description = "the receipt's leaf hash, hex", Required = true };
        var proof = new Option<string>("--proof") { Description = "the inclusion proof: hex hashes separated by commas", Required = true };
        var command = new Command("verify-inclusion", """
            Verify that a receipt's entry is in the tree of a signed checkpoint. Exit 0 proven, 1 not proven, 2 bad usage.
            Example:
              afx audit verify-inclusion --checkpoint checkpoint.txt --index 42 --leaf-hash 9f2c... --proof 1a2b...,3c4d...
            """) { checkpoint, index, leaf, proof, LogKey, Origin };
        Offline(command, r =>
        {
            var key = Key(r);
            var body = SignedCheckpoint.Verify(Text(r.GetValue(checkpoint)!), r.GetValue(Origin)!, key);
            var i = r.GetValue(index);
            var ok = MerkleVerifier.VerifyInclusion(i, body.Size, Hex(r.GetValue(leaf)!, "--leaf-hash"), Proof(r.GetValue(proof)!),
                body.RootHash);
            return Say(r, ok, ok ? $"OK: entry {i} is in the log of size {body.Size}." : $"FAILED: entry {i} is not proven in the log of size {body.Size}.",
                new { valid = ok, index = i, size = body.Size });
        });
        return command;
    }

    private static Command VerifyConsistency()
    {
        var old = new Option<FileInfo>("--old") { Description = "the older signed checkpoint", Required = true };
        var @new = new Option<FileInfo>("--new") { Description = "the newer signed checkpoint", Required = true };
        var proof = new Option<string>("--proof") { Description = "the consistency proof: hex hashes separated by commas", Required = true };
        var command = new Command("verify-consistency", """
            Verify that the newer checkpoint's tree extends the older one (nothing rewritten). Exit 0 consistent, 1 rewritten, 2 bad usage.
            Example:
              afx audit verify-consistency --old monday.txt --new tuesday.txt --proof 1a2b...,3c4d...
            """) { old, @new, proof, LogKey, Origin };
        Offline(command, r =>
        {
            var key = Key(r);
            var before = SignedCheckpoint.Verify(Text(r.GetValue(old)!), r.GetValue(Origin)!, key);
            var after = SignedCheckpoint.Verify(Text(r.GetValue(@new)!), r.GetValue(Origin)!, key);
            var ok = MerkleVerifier.VerifyConsistency(before.Size, after.Size, before.RootHash, after.RootHash, Proof(r.GetValue(proof)!));
            return Say(r, ok, ok
                    ? $"OK: the log of size {after.Size} extends the log of size {before.Size}."
                    : $"FAILED: the log of size {after.Size} does not extend the log of size {before.Size}: history was rewritten.",
                new { valid = ok, oldSize = before.Size, newSize = after.Size });
        });
        return command;
    }

    private static Command Evidence()
    {
        var log = new Option<FileInfo>("--log") { Description = "the exported log segment (the hub's audit.log)", Required = true };
        var exchange = new Option<string>("--exchange") { Description = "the exchange id (ex-...)", Required = true };
        var command = new Command("evidence", """
            When an exchange was submitted, delivered, acknowledged and answered, against its deadline, from the log entries alone.
            Exit 0 entries found, 1 none for that exchange, 2 bad usage.
            Example:
              afx audit evidence --log data/audit/audit.log --exchange ex-0193...
            """) { log, exchange };
        Offline(command, r => Evidence(Read(r.GetValue(log)!), r.GetValue(exchange)!, r.GetValue(GlobalOptions.Json)));
        return command;
    }

    /// <summary>Runs an offline check: files that cannot be read and malformed values are bad usage (2), a bad signature a failed check
    /// (1).</summary>
    private static void Offline(Command command, Func<ParseResult, int> body) => command.SetAction(r =>
    {
        if (r.GetValue(GlobalOptions.Key) is not null)
        {
            Console.Error.WriteLine("afx: --key is a partner's private key; give the audit log's public key with --log-key.");
            return ExitCodes.Usage;
        }

        try
        {
            return body(r);
        }
        catch (CryptographicException e)
        {
            return Say(r, false, "FAILED: " + e.Message, new { valid = false, message = e.Message });
        }
        catch (Exception e) when (e is UsageException or FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("afx: " + e.Message);
            return ExitCodes.Usage;
        }
    });

    private static int Say(ParseResult r, bool ok, string text, object json)
    {
        Console.WriteLine(r.GetValue(GlobalOptions.Json) ? JsonSerializer.Serialize(json) : text);
        return ok ? ExitCodes.Ok : ExitCodes.Refused;
    }

    /// <summary>The log's public keys: after a rotation the file holds each (the hub's audit.keys can be given as it is).</summary>
    private static IReadOnlyList<ECDsa> Key(ParseResult r)
    {
        var path = r.GetValue(LogKey) ?? Connection.DevPath("audit", "log-signing.pub");
        try
        {
            return SignedCheckpoint.ReadPublicKeys(Text(new FileInfo(path), "--log-key"));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new UsageException($"--log-key '{path}' is not a PEM public key: {e.Message}");
        }
    }

    private static byte[] Read(FileInfo file) => file.Exists ? File.ReadAllBytes(file.FullName) : throw Missing(file);

    private static string Text(FileInfo file, string? option = null) => file.Exists ? File.ReadAllText(file.FullName) : throw Missing(file,
        option);

    private static UsageException Missing(FileInfo file, string? option = null) =>
        new($"{(option is null ? "file" : option)} '{file.FullName}' does not exist.");

    private static byte[] Hex(string value, string option)
    {
        try
        {
            return Convert.FromHexString(value);
        }
        catch (FormatException)
        {
            throw new UsageException($"{option} '{(value.Length > 80 ? value[..80] + "..." : value)}' is not hexadecimal (two digits per byte).");
        }
    }

    private static List<byte[]> Proof(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(h => Hex(h,
        "--proof"))];

    private static int Evidence(byte[] segment, string exchangeId, bool json)
    {
        var steps = new List<AuditEntry>();
        for (var position = 0; position + 4 <= segment.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(position));
            if (length < 0 || position + 4 + length > segment.Length)
            {
                throw new FormatException($"the log is torn or not an audit log: the entry at byte {position} claims {length} bytes. "
                    + "Run afx audit verify-segment on it.");
            }

            var entry = AuditEntry.Parser.ParseFrom(segment.AsSpan(position + 4, length));
            if (entry.ExchangeId == exchangeId)
            {
                steps.Add(entry);
            }

            position += 4 + length;
        }

        DateTimeOffset? deadline = null;
        var rows = new List<(AuditEntry Step, bool Late)>();
        foreach (var step in steps)
        {
            var marker = step.Detail.IndexOf("deadline ", StringComparison.Ordinal);
            if (step.Kind == AuditEventKind.Submitted && marker >= 0)
            {
                var end = step.Detail.IndexOf(';', marker);
                deadline = DateTimeOffset.Parse(step.Detail[(marker + 9)..(end < 0 ? step.Detail.Length : end)],
                    CultureInfo.InvariantCulture);
            }

            rows.Add((step, deadline is { } d && step.At.ToDateTimeOffset() > d
                && step.Kind is AuditEventKind.Answered or AuditEventKind.Acknowledged));
        }

        var answered = steps.LastOrDefault(s => s.Kind == AuditEventKind.Answered);
        bool? onTime = deadline is null || answered is null ? null : answered.At.ToDateTimeOffset() <= deadline;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                exchangeId,
                deadline,
                onTime,
                entries = rows.Select(r => new
                {
                    index = r.Step.Index, at = r.Step.At.ToDateTimeOffset(), kind = r.Step.Kind.ToString(), actor = r.Step.Actor?.Id
                        ?? "hub", late = r.Late,
                }),
            }));
            return steps.Count == 0 ? ExitCodes.Refused : ExitCodes.Ok;
        }

        if (steps.Count == 0)
        {
            Console.WriteLine($"No entries for exchange {exchangeId}.");
            return ExitCodes.Refused;
        }

        foreach (var (step, late) in rows)
        {
            Console.WriteLine($"#{step.Index,-8} {step.At.ToDateTimeOffset():u}  {step.Kind,-14} {step.Actor?.Id ?? "hub",-18}{(late ? "  LATE" : string.Empty)}");
        }

        Console.WriteLine(deadline is null
            ? "Deadline: not recorded."
            : answered is null
                ? $"Deadline {deadline:u}: not answered in this segment."
                : $"Deadline {deadline:u}: answered {(onTime == true ? "on time" : "LATE")}, "
                    + $"{(answered.At.ToDateTimeOffset() - deadline.Value).Duration():g} {(onTime == true ? "before" : "after")} it.");
        return ExitCodes.Ok;
    }
}
