using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Client;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Clients;

/// <summary>The afx command line. For now: checking that a hub answers.</summary>
internal static class Afx
{
    private const string Usage = """
        afx - the AntiFraud.Exchange command line

        Usage:
          afx health [--hub URL] [--cert FILE --key FILE] [--ca FILE]
          afx audit verify-segment | verify-inclusion | verify-consistency | evidence ...   (run 'afx audit' for details)

        Options (environment variable in brackets):
          --hub URL     hub address [AFX_HUB], default https://localhost:7443
          --cert FILE   partner certificate, PEM [AFX_CERT]
          --key FILE    partner private key, PEM [AFX_KEY]
          --ca FILE     the hub's root CA, PEM [AFX_CA], default certs-dev/ca/root.crt

        Exit codes: 0 serving, 1 not serving, 2 usage error, 3 hub unreachable.

        Example:
          afx health --cert certs-dev/partners/police-shenzhen.crt --key certs-dev/partners/police-shenzhen.key
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        if (args[0] == "audit")
        {
            return AuditCommands.Run(args);
        }

        if (args[0] != "health")
        {
            await Console.Error.WriteLineAsync($"afx: unknown command '{args[0]}'. Run 'afx --help'.");
            return 2;
        }

        string? Option(string name, string env, string? fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : Environment.GetEnvironmentVariable(env) ?? fallback;
        }

        var hub = Option("--hub", "AFX_HUB", "https://localhost:7443")!;
        var cert = Option("--cert", "AFX_CERT", null);
        var key = Option("--key", "AFX_KEY", null);
        var ca = Option("--ca", "AFX_CA", "certs-dev/ca/root.crt")!;
        if (cert is null || key is null)
        {
            await Console.Error.WriteLineAsync("afx: a partner certificate is required: pass --cert and --key, or set AFX_CERT and AFX_KEY.");
            return 2;
        }

        var options = new GrpcChannelOptions
        {
            ClientCertificate = X509Certificate2.CreateFromPemFile(cert, key),
            TrustedCertificateAuthorities = [X509CertificateLoader.LoadCertificateFromFile(ca)],
        };
        using var channel = GrpcChannel.ForAddress(hub, options);
        try
        {
            var reply = await new HealthClient(channel).CheckAsync(new HealthCheckRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(5)));
            Console.WriteLine($"{hub}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (RpcException ex)
        {
            await Console.Error.WriteLineAsync($"afx: {hub}: {ex.StatusCode}: {ex.Status.Detail}");
            return 3;
        }
    }
}
