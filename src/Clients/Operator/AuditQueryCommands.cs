using System.Buffers.Binary;
using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Operator;

/// <summary>afx audit query | export: an auditor browsing the live log, or taking a copy to verify offline.</summary>
internal static class AuditQueryCommands
{
    private const int MaxEntries = 100_000;

    public static IEnumerable<Command> All() => [Query(), Export()];

    private static Command Query()
    {
        var @case = new Option<string?>("--case") { Description = "entries of this case" };
        var exchange = new Option<string?>("--exchange") { Description = "entries of this exchange (ex-...)" };
        var partner = new Option<string?>("--partner") { Description = "entries whose actor or subject is this partner" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "entries at or after (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "entries before (ISO 8601)" };
        var kinds = new Option<string[]>("--kind") { Description = "submitted, delivered, acknowledged, answered, rejected, escalated, expired, cancelled, accessed, denied (repeatable)" };
        var limit = new Option<int>("--limit") { Description = $"stop after this many entries (default 1000, at most {MaxEntries})", DefaultValueFactory = _ => 1000 };
        var command = new Command("query", """
            Browse the live audit log (auditors): who did what to which exchange, when; bodies appear only as salted commitments.
            Examples:
              afx audit query --as auditor-national --case SZ-2026-0042
              afx audit query --as auditor-national --partner bank-alpha --kind denied --from 2026-11-22T00:00:00+08:00 --json
            """) { @case, exchange, partner, from, to, kinds, limit };
        command.SetGuardedAction(async (r, ct) =>
        {
            var max = r.GetValue(limit);
            if (max is < 1 or > MaxEntries)
            {
                throw new UsageException($"--limit {max}: between 1 and {MaxEntries}.");
            }

            var request = new AuditQueryRequest
            {
                CaseNumber = r.GetValue(@case) ?? "", ExchangeId = r.GetValue(exchange) ?? "", PartnerId = r.GetValue(partner) ?? "",
                From = r.GetValue(from) is { } f ? Timestamp.FromDateTimeOffset(f) : null,
                To = r.GetValue(to) is { } t ? Timestamp.FromDateTimeOffset(t) : null,
                PageSize = (uint)Math.Min(max, 500),
            };
            request.Kinds.AddRange((r.GetValue(kinds) ?? []).Select(Kind));
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var audit = new AuditClient(channel);
            var shown = 0;
            var json = r.GetValue(GlobalOptions.Json);
            while (shown < max)
            {
                var page = await audit.QueryAsync(request, new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(60)));
                foreach (var entry in page.Entries.Take(max - shown))
                {
                    shown++;
                    if (json)
                    {
                        Output.Json(entry);
                    }
                    else
                    {
                        Console.WriteLine($"#{entry.Index,-8} {entry.At.ToDateTimeOffset():u}  {entry.Kind.ToString().ToUpperInvariant(),-13} "
                            + $"{entry.Actor?.Id ?? "hub",-18} {entry.ExchangeId,-36} {entry.CaseNumber} {entry.Detail}");
                    }
                }

                if (page.NextPageToken.Length == 0)
                {
                    break;
                }

                request.PageToken = page.NextPageToken;
            }

            if (!json)
            {
                Console.WriteLine(shown == 0 ? "No entries." : $"{shown} entr{(shown == 1 ? "y" : "ies")}{(shown == max ? $" (--limit {max} reached)" : "")}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export()
    {
        var start = new Option<ulong>("--start") { Description = "first entry index (default 0)" };
        var end = new Option<ulong?>("--end") { Description = "entry index to stop before (default: the size of the newest signed checkpoint)" };
        var output = new Option<FileInfo>("--out") { Description = "the file to write, in audit.log's format", Required = true };
        var command = new Command("export", """
            Copy entries of the live log (auditors) into a file in audit.log's format, with the signed checkpoint that covers them
            beside it (FILE.checkpoint), ready for afx audit verify-segment.
            Example:
              afx audit export --as auditor-national --out segment.log
              afx audit verify-segment --log segment.log --checkpoint segment.log.checkpoint --origin antifraud.exchange/dev-hub
            """) { start, end, output };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var audit = new AuditClient(channel);
            var checkpoint = await audit.GetCheckpointAsync(new GetCheckpointRequest(), new CallOptions(cancellationToken: ct));
            var last = r.GetValue(end) ?? checkpoint.TreeSize;
            var path = r.GetValue(output)!.FullName;
            var count = 0L;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                using var call = audit.Export(new ExportLogRequest { StartIndex = r.GetValue(start), EndIndex = last },
                    new CallOptions(cancellationToken: ct));
                var header = new byte[4];
                await foreach (var entry in call.ResponseStream.ReadAllAsync(ct))
                {
                    BinaryPrimitives.WriteUInt32BigEndian(header, (uint)entry.LeafData.Length);
                    await file.WriteAsync(header, ct);
                    await file.WriteAsync(entry.LeafData.Memory, ct);
                    count++;
                }
            }

            await File.WriteAllTextAsync(path + ".checkpoint", checkpoint.SignedNote, ct);
            Console.WriteLine(r.GetValue(GlobalOptions.Json)
                ? $"{{\"file\":\"{path}\",\"entries\":{count},\"checkpoint\":\"{path}.checkpoint\",\"origin\":\"{checkpoint.Origin}\"}}"
                : $"Wrote {count} entries to {path}, and the checkpoint covering {checkpoint.TreeSize} entries to {path}.checkpoint (origin {checkpoint.Origin}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static AuditEventKind Kind(string text) =>
        System.Enum.TryParse<AuditEventKind>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var kind)
            && kind != AuditEventKind.Unspecified
            ? kind
            : throw new UsageException($"--kind '{text}': use submitted, delivered, acknowledged, answered, rejected, escalated, expired, cancelled, accessed or denied.");
}
