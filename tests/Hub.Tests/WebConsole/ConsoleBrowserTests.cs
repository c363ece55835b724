using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.WebConsole;

/// <summary>
/// The web console in a real browser (Debian's chromium, headless) over mutual TLS with partner certificates: what a supervisor,
/// an auditor, a bank and a browser without a certificate each get. Screenshots go to artifacts/console/.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private const string Case = "SZ-CONSOLE-0001";
    private readonly HubFixture _hub = new();
    private string _open = "";
    private string _freeze = "";

    private static string Artifact(string name) => Path.Combine(DevPki.RepoRoot, "artifacts", "console", name);

    public async Task InitializeAsync()
    {
        await _hub.InitializeAsync();
        using var police = new Partner(_hub, "police-shenzhen");
        using var bank = new Partner(_hub, "bank-alpha");
        var caseRef = Requests.Case(Case);
        caseRef.ReportedLoss = new Money { Currency = "CNY", MinorUnits = 200_000_00 };

        // A freeze held at once, a return of 30,000 out of it, a refused query, and a stop-payment still open.
        _freeze = (await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222020200112233", 49_800_00, caseRef: caseRef))).ExchangeId;
        await bank.Inbox.RespondAsync(new RespondRequest { ExchangeId = _freeze, Result = Requests.Executed(49_800_00) });
        var order = Requests.Freeze("bank-alpha", "6222020200112233", 1, caseRef: caseRef);
        order.Priority = Priority.Medium;
        order.Request = new Request
        {
            FundReturn = new FundReturn
            {
                HoldExchangeId = _freeze, Account = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233" },
                Amount = new Money { Currency = "CNY", MinorUnits = 30_000_00 },
                VictimAccount = new AccountRef { BankId = "bank-beta", AccountNumber = "6217009900001111", AccountName = "李小梅" },
                Victim = Requests.Victim(), DecisionReference = "深公返字〔2026〕42号",
            },
        };
        var returned = (await police.Exchange.SubmitAsync(order)).ExchangeId;
        await bank.Inbox.RespondAsync(new RespondRequest
        {
            ExchangeId = returned,
            Result = new Result
            {
                FundReturn = new FundReturnResult
                {
                    Status = ReturnStatus.Returned, AmountReturned = new Money { Currency = "CNY", MinorUnits = 30_000_00 },
                    ReturnedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                },
            },
        });
        _open = (await police.Exchange.SubmitAsync(Requests.StopPayment("bank-alpha", "6222020200445566", 12_000_00, caseRef: caseRef))).ExchangeId;
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private string Url(string path) => _hub.Address + path;

    [Fact]
    public async Task Supervisor_SeesDeadlinesFiguresAndTheCase_TheAuditorSeesItMasked_OthersAreRefused()
    {
        using (var police = await HeadlessChromium.StartAsync("police-shenzhen"))
        {
            var deadlines = await police.DomAsync(Url("/console/deadlines"));
            Assert.Contains("police police-shenzhen", deadlines);
            Assert.Contains(_open, deadlines);
            Assert.Contains("CRITICAL: 1", deadlines);
            // The countdown ticks in the page: a 10-minute stop-payment shows minutes left, not a date.
            Assert.Matches("in (9|10)m [0-9]+s", deadlines);
            await police.ScreenshotAsync(Url("/console/deadlines"), Artifact("deadlines.png"));

            var targets = await police.DomAsync(Url("/console/targets"));
            // 30,000 returned of a 200,000 reported loss: 15.0% against the 25% goal.
            Assert.Contains("recovery rate", targets);
            Assert.Contains("15.0%", targets);
            Assert.Contains("(3000000/20000000)", targets);
            Assert.Contains("<svg", targets);
            await police.ScreenshotAsync(Url("/console/targets"), Artifact("targets.png"));

            // The CSV is a download: fetched as a script would, with the same certificate.
            using var handler = new HttpClientHandler();
            handler.ClientCertificates.Add(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                DevPki.PartnerCertPath("police-shenzhen"), DevPki.PartnerKeyPath("police-shenzhen")));
            handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
            using var http = new HttpClient(handler) { DefaultRequestVersion = System.Net.HttpVersion.Version20 };
            var csv = await http.GetStringAsync(Url("/console/targets.csv"));
            Assert.StartsWith("quarter,target,goal,value,numerator,denominator\n", csv);
            Assert.Contains(",recovery rate,0.25,0.1500,3000000,20000000\n", csv);

            var @case = await police.DomAsync(Url("/console/case?case=" + Case));
            Assert.Contains("Case " + Case, @case);
            Assert.Contains("CNY 200,000.00", @case);
            Assert.Contains("CNY 30,000.00", @case);
            Assert.Contains("6222020200112233", @case);
            await police.ScreenshotAsync(Url("/console/case?case=" + Case), Artifact("case.png"));

            var compliance = await police.DomAsync(Url("/console/compliance"));
            Assert.Contains("Ranking by on-time rate", compliance);
            Assert.Contains("bank-alpha", compliance);
        }

        using (var auditor = await HeadlessChromium.StartAsync("auditor-national"))
        {
            var masked = await auditor.DomAsync(Url($"/console/case?case={Case}&centre=police-shenzhen"));
            Assert.Contains("Case " + Case, masked);
            // The account number and the victim's name are pseudonyms for an auditor, as in every RPC read.
            Assert.DoesNotContain("6222020200112233", masked);
            Assert.DoesNotContain("李小梅", masked);
            Assert.Contains("CNY 30,000.00", masked);
            await auditor.ScreenshotAsync(Url($"/console/case?case={Case}&centre=police-shenzhen"), Artifact("case-auditor.png"));

            var first = await auditor.DomAsync(Url("/console/audit"));
            Assert.Contains("first visit", first);
            var search = await auditor.DomAsync(Url("/console/audit?q=" + _freeze));
            Assert.Contains("Verified: the log only grew since your last visit", search);
            Assert.Contains(_freeze, search);
        }

        using (var bank = await HeadlessChromium.StartAsync("bank-alpha"))
        {
            // The responder's duty side sees the work addressed to it nearing its deadline, with its own desk, and nothing else.
            var own = await bank.DomAsync(Url("/console/deadlines"));
            Assert.Contains(_open, own);
            Assert.Contains("Alpha fraud duty desk (24 h), +86 755 8300 0110", own);
            var refused = await bank.DomAsync(Url("/console/targets"));
            Assert.Contains("open to police, auditor partners", refused);
            Assert.DoesNotContain("recovery rate", refused);
        }

        using (var otherBank = await HeadlessChromium.StartAsync("bank-beta"))
        {
            Assert.DoesNotContain(_open, await otherBank.DomAsync(Url("/console/deadlines")));
        }

        using (var stranger = await HeadlessChromium.StartAsync(partner: null))
        {
            var none = await stranger.DomAsync(Url("/console/deadlines"));
            Assert.DoesNotContain("AntiFraud.Exchange console", none);
        }

        // Every page view is in the audit log, like an RPC read.
        var log = _hub.Services.GetRequiredService<AuditLog>();
        var entries = log.Read(0, log.Size).ToList();
        Assert.Contains(entries, e => e.Kind == AuditEventKind.Accessed && e.Detail == "console /console/deadlines" && e.Actor.Id == "police-shenzhen");
        Assert.Contains(entries, e => e.Kind == AuditEventKind.Accessed && e.Detail == "console /console/case" && e.Actor.Id == "auditor-national"
            && e.CaseNumber == Case);
    }
}
