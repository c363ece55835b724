using System.CommandLine;
using System.Diagnostics;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using Grpc.Core;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Spectre.Console;

namespace AntiFraud.Exchange.Clients.Operator;

/// <summary>afx partners, certs, compliance, health and audit: the operator's and the auditor's tools.</summary>
internal static class OperatorCommands
{
    private static CallOptions Call(CancellationToken ct) => new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30));

    public static Command Partners()
    {
        var command = new Command("partners", """
            The partner registry as the hub sees it: who is registered, enabled, and connected now.
            Example:
              afx partners --as auditor-national
            """);
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var list = await new OperationsClient(channel).ListPartnersAsync(new ListPartnersRequest(), Call(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(list);
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Partner", "Kind", "Name", "Enabled", "Connected");
            foreach (var p in list.Partners)
            {
                table.AddRow(Markup.Escape(p.Partner.Id), p.Partner.Kind.ToString().ToLowerInvariant(), Markup.Escape(p.DisplayName),
                    p.Enabled ? "yes" : "[red]no[/]", p.Connected ? "[green]yes[/]" : "no");
            }

            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Compliance()
    {
        var partner = new Option<string?>("--partner") { Description = "one responder (default: all)" };
        var days = new Option<int>("--days") { Description = "the window, in days back from now", DefaultValueFactory = _ => 30 };
        var command = new Command("compliance", """
            How banks and carriers keep their legal deadlines: on-time rate, time to acknowledge and to answer, overdue work.
            Example:
              afx compliance --as auditor-national --days 7
            """) { partner, days };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var now = DateTimeOffset.UtcNow;
            var report = await new OperationsClient(channel).GetComplianceAsync(new GetComplianceRequest
            {
                PartnerId = r.GetValue(partner) ?? "",
                From = Timestamp.FromDateTimeOffset(now.AddDays(-r.GetValue(days))),
                To = Timestamp.FromDateTimeOffset(now),
            }, Call(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(report);
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Responder", "On time", "Answered", "Refused", "Expired", "Open",
                "Overdue", "Ack p50", "Answer p50", "Answer p95");
            foreach (var p in report.Partners)
            {
                var rate = p.OnTimeRate;
                var colour = rate >= 0.95 ? "green" : rate >= 0.8 ? "yellow" : "red";
                table.AddRow(Markup.Escape(p.Partner.Id), $"[{colour}]{rate:P1}[/]", p.Answered.ToString(),
                    p.Rejected == 0 ? "0" : $"{p.Rejected} ({p.RefusalRate:P0})", p.Expired.ToString(),
                    p.Open.ToString(),
                    p.OpenOverdue > 0 ? $"[red]{p.OpenOverdue}[/]" : "0", D(p.MedianTimeToAck), D(p.MedianTimeToAnswer), D(p.P95TimeToAnswer));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string D(Duration? d) => d is null ? "-" : d.ToTimeSpan() switch
    {
        { TotalHours: >= 1 } t => $"{t.TotalHours:F1} h",
        { TotalMinutes: >= 1 } t => $"{t.TotalMinutes:F1} min",
        var t => $"{t.TotalSeconds:F1} s",
    };

    public static Command Certs()
    {
        var kind = new Argument<string>("kind") { Description = "police | bank | carrier | auditor" };
        var id = new Argument<string>("id") { Description = "the partner id, e.g. bank-gamma" };
        var days = new Option<int?>("--days") { Description = "validity in days" };
        var replace = new Option<bool>("--replace") { Description = "the partner already holds a valid certificate: revoke it and issue a new one" };
        var issue = new Command("issue", """
            Issue a partner certificate from the dev PKI (certs-dev/pki.sh issue). Register the partner in config/partners.json too.
            Refused while the partner holds a valid certificate, unless --replace (which revokes it).
            Example:
              afx certs issue bank bank-gamma
            """) { kind, id, days, replace };
        issue.SetGuardedAction((r, ct) => RunPki(r.GetValue(GlobalOptions.Json), ct, ["issue", r.GetValue(kind)!, r.GetValue(id)!,
            .. r.GetValue(days) is { } d ? new[] { "--days", d.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [],
            .. r.GetValue(replace) ? new[] { "--replace" } : []]));
        var names = new Argument<string[]>("name") { Description = "host names and IP addresses partners connect to", Arity = ArgumentArity.OneOrMore };
        var hub = new Command("hub", """
            Issue a hub server certificate from the dev PKI for real host names and addresses (a pilot across machines).
            Example:
              afx certs hub hub.pilot.example 10.0.0.5
            """) { names };
        hub.SetGuardedAction((r, ct) => RunPki(r.GetValue(GlobalOptions.Json), ct, ["hub", .. r.GetValue(names)!]));
        var revokeId = new Argument<string>("id") { Description = "the partner id whose certificate to revoke" };
        var revoke = new Command("revoke", """
            Revoke every valid certificate of a partner and publish a new CRL; the hub re-reads it and refuses them at once, even on open connections.
            Example:
              afx certs revoke bank-gamma
            """) { revokeId };
        revoke.SetGuardedAction((r, ct) => RunPki(r.GetValue(GlobalOptions.Json), ct, ["revoke", r.GetValue(revokeId)!]));
        return new Command("certs",
            "The development PKI: issue and revoke partner certificates, issue a hub certificate.") { issue, revoke, hub };
    }

    private static async Task<int> RunPki(bool json, CancellationToken ct, string[] args)
    {
        var script = Connection.DevPath("pki.sh");
        if (!File.Exists(script))
        {
            throw new UsageException($"{script} not found: run afx from the repository.");
        }

        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = json, RedirectStandardError = json };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = json ? process.StandardOutput.ReadToEndAsync(ct) : Task.FromResult("");
        var errors = json ? process.StandardError.ReadToEndAsync(ct) : Task.FromResult("");
        await process.WaitForExitAsync(ct);
        if (json)
        {
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { command = args[0], ok = process.ExitCode == 0,
                output = await output, errors = await errors }));
        }

        return process.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Refused;
    }

    public static Command Health()
    {
        var command = new Command("health", """
            Check that a hub answers, over mTLS (grpc.health.v1). Exit 0 serving, 1 not serving, 3 unreachable.
            Example:
              afx health --as police-shenzhen --hub https://localhost:7443
            """);
        command.SetGuardedAction(async (r, ct) =>
        {
            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            var reply = await new HealthClient(channel).CheckAsync(new HealthCheckRequest(), Call(ct));
            Console.WriteLine(r.GetValue(GlobalOptions.Json) ? $"{{\"hub\":\"{connection.Hub}\",\"status\":\"{reply.Status}\"}}" : $"{connection.Hub}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }

    /// <summary>
    /// afx audit verify: a witness check against the live hub. It verifies a fresh signed checkpoint, and
    /// that the log only grew since the checkpoint this machine saw last (a consistency proof), keeping
    /// that checkpoint in a state file. With --index and --leaf-hash it also proves a receipt is in the log.
    /// </summary>
    public static Command AuditVerify()
    {
        var state = new Option<FileInfo?>("--state")
        {
            Description = "where the last verified checkpoint is kept (default $XDG_CONFIG_HOME/afx/witness/<hub address>/<origin>.txt)",
        };
        var index = new Option<ulong?>("--index") { Description = "a receipt's leaf index" };
        var leaf = new Option<string?>("--leaf-hash") { Description = "the receipt's leaf hash, hex" };
        var key = new Option<string?>("--log-key") { Description = "the log's public keys, PEM: after a key rotation all of them, as the hub's audit.keys lists them (default certs-dev/audit/log-signing.pub)" };
        var command = new Command("verify", """
            Verify the live hub's audit log as a witness: a fresh signed checkpoint, a consistency proof from the last checkpoint this
            machine saw, and optionally a receipt's inclusion. Exit 0 verified, 1 a proof failed (tampering or a forked log).
            Examples:
              afx audit verify --as auditor-national
              afx audit verify --as police-shenzhen --index 42 --leaf-hash 9f2c...
            Offline verification of exported logs: afx audit verify-segment | verify-inclusion | verify-consistency | evidence.
            """) { state, index, leaf, key };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var audit = new AuditClient(channel);
            var leafHash = r.GetValue(leaf);
            if (leafHash is not null && (leafHash.Length % 2 != 0 || !leafHash.All(Uri.IsHexDigit)))
            {
                throw new UsageException($"--leaf-hash '{(leafHash.Length > 80 ? leafHash[..80] + "..." : leafHash)}' is not hexadecimal (two digits per byte).");
            }

            var publicKey = SignedCheckpoint.ReadPublicKeys(File.ReadAllText(r.GetValue(key) ?? Connection.DevPath("audit", "log-signing.pub")));
            var connection = Connection.Resolve(GlobalOptions.From(r));
            var result = await AuditWitness.VerifyAsync(audit, publicKey, connection.Hub, r.GetValue(state)?.FullName, r.GetValue(index),
                r.GetValue(leaf), ct);
            foreach (var line in result.Lines)
            {
                Console.WriteLine(line);
            }

            return result.Ok ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }
}

/// <summary>The checks behind afx audit verify and the demo's last step.</summary>
internal static class AuditWitness
{
    public sealed record Outcome(bool Ok, IReadOnlyList<string> Lines);

    /// <summary>The state file of one log seen through one hub address: two dev hubs share an origin, never an address and port.</summary>
    public static string DefaultStatePath(string hub, string origin) =>
        Path.Combine(ConfigHome.Directory, "witness", ConfigHome.FileName(hub), ConfigHome.FileName(origin) + ".txt");

    public static async Task<Outcome> VerifyAsync(AuditClient audit, IReadOnlyList<System.Security.Cryptography.ECDsa> key, string hub, string? statePath,
        ulong? index,
        string? leafHash, CancellationToken ct)
    {
        var lines = new List<string>();
        var checkpoint = await audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true }, new CallOptions(cancellationToken: ct));
        CheckpointBody body;
        try
        {
            body = SignedCheckpoint.Verify(checkpoint.SignedNote, checkpoint.Origin, key);
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            return new Outcome(false, [$"FAILED: the checkpoint's signature does not verify: {e.Message}"]);
        }

        lines.Add($"checkpoint {checkpoint.Origin}: {body.Size} entries, root {Convert.ToHexString(body.RootHash)[..16]}..., signature verified");
        statePath ??= DefaultStatePath(hub, checkpoint.Origin);
        var whatToDo = $"If this hub's log was deliberately started afresh (a new data folder), delete {statePath} and verify again; "
            + "otherwise the hub rewrote or forked its log: keep both checkpoints as evidence and report it.";
        if (File.Exists(statePath))
        {
            CheckpointBody previous;
            try
            {
                previous = SignedCheckpoint.Verify(await File.ReadAllTextAsync(statePath, ct), checkpoint.Origin, key);
            }
            catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                return new Outcome(false, [.. lines,
                    $"FAILED: the checkpoint kept in {statePath} does not verify with this log's key ({e.Message}). {whatToDo}"]);
            }

            if (previous.Size > body.Size)
            {
                return new Outcome(false, [.. lines,
                    $"FAILED: the log shrank from {previous.Size} to {body.Size} entries since the checkpoint kept in {statePath}. {whatToDo}"]);
            }

            var proof = await audit.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = (ulong)previous.Size,
                SecondSize = (ulong)body.Size, LogOrigin = checkpoint.Origin }, new CallOptions(cancellationToken: ct));
            if (!MerkleVerifier.VerifyConsistency(previous.Size, body.Size, previous.RootHash, body.RootHash,
                [.. proof.Hashes.Select(h => h.ToByteArray())]))
            {
                return new Outcome(false, [.. lines,
                    $"FAILED: the log of {body.Size} entries does not extend the one of {previous.Size} seen before: it was rewritten. {whatToDo}"]);
            }

            lines.Add($"consistent with the {previous.Size}-entry checkpoint seen before: the log only grew");
        }
        else
        {
            lines.Add($"first visit: checkpoint kept in {statePath} for the next consistency check");
        }

        if (index is { } i && leafHash is not null)
        {
            var hash = Convert.FromHexString(leafHash);
            var inclusion = await audit.GetInclusionProofAsync(new GetInclusionProofRequest { LeafIndex = i, TreeSize = (ulong)body.Size,
                LogOrigin = checkpoint.Origin }, new CallOptions(cancellationToken: ct));
            if (!MerkleVerifier.VerifyInclusion((long)i, body.Size, hash, [.. inclusion.Hashes.Select(h => h.ToByteArray())],
                body.RootHash))
            {
                return new Outcome(false, [.. lines, $"FAILED: entry {i} with that hash is not in the log"]);
            }

            lines.Add($"receipt {i} is in the log");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);
        await File.WriteAllTextAsync(statePath, checkpoint.SignedNote, ct);
        return new Outcome(true, lines);
    }
}
