namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>afx-hub --help: what the hub does, how to start it, and the settings an operator sets first.</summary>
internal static class HubHelp
{
    public const string CheckConfig = "--check-config";

    public static bool Asked(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    public const string Text = """
        afx-hub: the AntiFraud.Exchange hub (gRPC over mutual TLS between police, banks and carriers).

        Usage:
          afx-hub [--Hub:Setting=value ...]
          afx-hub --check-config [--Hub:Setting=value ...]   check the settings and files, then exit (nothing is opened)
          afx-hub keys rotate [--Hub:Setting=value ...]      a new store master key; a running hub re-wraps its data keys and audits it
          afx-hub backup DIR | restore DIR [--Hub:...]       an online copy of the store and audit log; a restore checks it first
          dotnet run --project src/Hub [-- --Hub:Setting=value ...]

        It never listens without TLS and client certificates. Settings come from appsettings.json, then
        environment variables (Hub__Listen, Hub__Tls__CertificatePath, ...), then the command line.
        Relative paths resolve against Hub:ContentRoot (default: the repository root, found above the binary).

        Settings operators set first:
          --Hub:Listen=127.0.0.1:7443              address:port to listen on (port 0 picks a free one)
          --Hub:Tls:CertificatePath=FILE           server certificate chain, PEM (+ --Hub:Tls:KeyPath=FILE); re-read when replaced
          --Hub:Tls:ClientCaPath=FILE              the root CA partner certificates must chain to
          --Hub:Tls:CrlPath=FILE                   the issuing CA's revocation list (re-read when it changes)
          --Hub:Partners:RegistryPath=FILE         the partner registry, config/partners.json (re-read when it changes)
          --Hub:Store:Provider=sqlite|redis|memory sqlite is the durable default; redis for several replicas
          --Hub:Store:Path=data/hub.db             the embedded store (the audit log goes beside it, in audit/)
          --Hub:Store:Redis:Configuration=HOST:PORT and --Hub:ReplicaId=NAME for a replica on a shared Redis
          --Hub:Audit:SigningKeyPath=FILE          the key that signs audit checkpoints (re-read; every key used is kept in audit/audit.keys)
          --Hub:Audit:FullCheckBelowEntries=N      logs up to N entries are read in full at start (1000000); longer ones open from
                                                   their saved tree (audit/tree/) and are re-checked in full in the background
          --Hub:Masking:SecretPath=FILE            the secret pseudonyms derive from (re-read when replaced; mode 0600)
          --Hub:Retention:PolicyPath=FILE          how long personal data of what ended is kept (config/retention.json; empty: for ever)
          --Hub:Alerts:PolicyPath=FILE             early warning: fusion window, locate queue, tier rules (config/alerts.json)
          --Hub:Lists:KeyPath=FILE                 the risk lists' OPRF key; every replica needs the same file
          --Hub:Store:KeyPath=FILE                 encryption at rest: the master key (64 hex digits, mode 0600)
          --Hub:AddressFile=FILE                   write the bound address (https://host:port) here once listening
                                                   (then a line "ops http://host:port" for the operations port)
          --Hub:Ops:Listen=127.0.0.1:8443|none     the operations port: plain HTTP, /healthz, /readyz, /metrics only, no
                                                   personal data (default: loopback, partner port + 1000)
          --Hub:Ops:OtlpEndpoint=URL               send traces and metrics to an OTLP collector (+ --Hub:Ops:OtlpProtocol=
                                                   grpc|http/protobuf)
          --Logging:Console:FormatterName=json     one JSON object per log line, with the call's trace id and exchange id

        The read-only web console is served at https://HOST:PORT/console on the partner port, to a browser presenting a partner
        certificate (police units and auditors: every page; banks and carriers: their live deadlines).

        The committed development PKI (certs-dev/) is refused unless DOTNET_ENVIRONMENT=Development
        (dotnet run sets it through the launch profile). Exit codes: 0 stopped normally, 1 could not start
        (the reason is printed, naming the setting to fix).
        See README.md and docs/architecture.md.
        """;
}
