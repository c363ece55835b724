using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Etsi;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Adapters.Tests;

/// <summary>
/// The canonical messages behind the sample files in docs/samples: a realistic freeze story at a
/// legacy bank, an account query, and a call-source trace. Times are China Standard Time.
/// </summary>
internal static class Samples
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 30, 0, TimeSpan.FromHours(8));

    public static ManualTimeProvider Clock() => new(Now);

    public static string Folder => Path.Combine(DevPki.RepoRoot, "docs", "samples");

    public static Timestamp At(int day, int hour, int minute, int second = 0) =>
        Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, day, hour, minute, second, TimeSpan.FromHours(8)));

    private static PartnerRef Police => new() { Kind = PartnerKind.Police, Id = "police-shenzhen" };

    private static CaseRef Case(LegalBasis basis) => new()
    {
        CaseNumber = "SZ-2026-110-004217",
        LegalBasis = basis,
        LegalReference = "刑诉法第144条 深公(反诈)冻字[2026]4217号",
        ApprovingOfficer = "王建国",
        Confidential = true,
    };

    private static AccountRef MuleAccount => new() { BankId = "bank-beta", AccountNumber = "6217002870012345678", AccountName = "李四" };

    public static IReadOnlyList<InboxItem> Notices =>
    [
        new InboxItem
        {
            ExchangeId = "ex-019a8f3c2b7d7e41a5c3d2e1f0a9b8c7",
            From = Police,
            Priority = Priority.Critical,
            SubmittedAt = At(22, 9, 12, 5),
            Deadline = At(22, 9, 42, 5),
            Case = Case(LegalBasis.EmergencyStopPayment),
            Request = new Request
            {
                StopPayment = new StopPaymentNotice
                {
                    Account = MuleAccount,
                    Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                    Victim = new Person { Name = "张三", NationalId = "440301********1234", Phone = new PhoneNumber { E164 = "+86138****8000" } },
                    ReportedTransfer = new Transaction
                    {
                        TransactionId = "ALPHA20261122090512000417",
                        BookedAt = At(22, 9, 5, 12),
                        Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                        Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233445" },
                    },
                    HoldPeriod = Duration.FromTimeSpan(TimeSpan.FromHours(48)),
                    Reason = "受害人报案：冒充客服诈骗，转账49800元",
                },
            },
        },
        new InboxItem
        {
            ExchangeId = "ex-019a8f3d0c1e7a22b6d4e3f2a1b0c9d8",
            From = Police,
            Priority = Priority.High,
            SubmittedAt = At(22, 9, 20, 0),
            Deadline = At(22, 11, 20, 0),
            Case = Case(LegalBasis.CriminalInvestigation),
            ParentExchangeId = "ex-019a8f3c2b7d7e41a5c3d2e1f0a9b8c7",
            Request = new Request
            {
                Freeze = new FreezeNotice
                {
                    Account = MuleAccount,
                    Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                    FreezePeriod = Duration.FromTimeSpan(TimeSpan.FromDays(180)),
                    Reason = "Freeze for the investigation; do not inform the holder.",
                },
            },
        },
        new InboxItem
        {
            ExchangeId = "ex-019a8f3e11aa7c33b7e5f4a3b2c1d0e9",
            From = Police,
            Priority = Priority.Medium,
            SubmittedAt = At(22, 9, 25, 30),
            Deadline = At(23, 9, 25, 30),
            Case = Case(LegalBasis.CourtOrder),
            Request = new Request
            {
                FreezeRelease = new FreezeRelease
                {
                    FreezeExchangeId = "ex-0199e01f77aa7c33b7e5f4a3b2c1d0aa",
                    Account = new AccountRef { BankId = "bank-beta", AccountNumber = "6217002870099887766", AccountName = "王五" },
                    Reason = "Funds returned to the victim by court order.",
                },
            },
        },
    ];

    public static IReadOnlyList<RespondRequest> Results =>
    [
        new RespondRequest
        {
            ExchangeId = "ex-019a8f3c2b7d7e41a5c3d2e1f0a9b8c7",
            Result = new Result
            {
                StopPayment = new HoldResult
                {
                    Status = HoldStatus.Partial,
                    Reason = "账户余额不足，已止付全部余额",
                    AmountHeld = new Money { Currency = "CNY", MinorUnits = 1_250_000 },
                    ExecutedAt = At(22, 9, 14, 40),
                    HoldExpiresAt = At(24, 9, 14, 40),
                    BalanceAfter = new Money { Currency = "CNY", MinorUnits = 0 },
                    OnwardTransfers =
                    {
                        new Transaction
                        {
                            TransactionId = "BETA202611220907330001",
                            BookedAt = At(22, 9, 7, 33),
                            Amount = new Money { Currency = "CNY", MinorUnits = 3_000_000 },
                            Direction = TransferDirection.Debit,
                            Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222021100998877665", AccountName = "赵六" },
                            Channel = "MOBILE",
                            Memo = "货款",
                        },
                        new Transaction
                        {
                            TransactionId = "BETA202611220908150002",
                            BookedAt = At(22, 9, 8, 15),
                            Amount = new Money { Currency = "CNY", MinorUnits = 730_000 },
                            Direction = TransferDirection.Debit,
                            Counterparty = new AccountRef { BankId = "bank-gamma", AccountNumber = "6230580000123456789", AccountName = "孙七" },
                            Channel = "THIRD_PARTY_PAY",
                        },
                    },
                },
            },
        },
        new RespondRequest
        {
            ExchangeId = "ex-019a8f3d0c1e7a22b6d4e3f2a1b0c9d8",
            Result = new Result
            {
                Freeze = new HoldResult
                {
                    Status = HoldStatus.Executed,
                    AmountHeld = new Money { Currency = "CNY", MinorUnits = 1_250_000 },
                    ExecutedAt = At(22, 9, 31, 2),
                    HoldExpiresAt = At(22, 9, 31, 2) + Duration.FromTimeSpan(TimeSpan.FromDays(180)),
                },
            },
        },
        new RespondRequest
        {
            ExchangeId = "ex-019a8f3e11aa7c33b7e5f4a3b2c1d0e9",
            RejectionReason = "冻结编号与本行记录不符，请核对后重新发起",
        },
    ];

    public static InboxItem AccountQuery => new()
    {
        ExchangeId = "ex-019a8f4a5566778899aabbccddeeff00",
        From = Police,
        Priority = Priority.High,
        SubmittedAt = At(22, 9, 40, 0),
        Deadline = At(22, 21, 40, 0),
        Case = Case(LegalBasis.CriminalInvestigation),
        Request = new Request
        {
            AccountQuery = new AccountQuery
            {
                Account = MuleAccount,
                IncludeHolder = true,
                IncludeBalance = true,
                IncludeTransactions = true,
                TransactionsFrom = At(15, 0, 0),
                TransactionsTo = At(22, 9, 40),
            },
        },
    };

    public static RespondRequest AccountAnswer => new()
    {
        ExchangeId = "ex-019a8f4a5566778899aabbccddeeff00",
        Result = new Result
        {
            AccountQuery = new AccountQueryResult
            {
                Status = QueryStatus.Found,
                Holder = new Person { Name = "李四", NationalId = "450102199001011234", Phone = new PhoneNumber { E164 = "+8613900139000" }, Address = "广西南宁市青秀区民族大道1号" },
                Balance = new Money { Currency = "CNY", MinorUnits = 0 },
                AccountState = AccountState.Frozen,
                OpenedAt = At(1, 10, 15),
                Transactions =
                {
                    new Transaction
                    {
                        TransactionId = "BETA202611220905120001", BookedAt = At(22, 9, 5, 12), Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                        Direction = TransferDirection.Credit, Channel = "MOBILE",
                        Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233445", AccountName = "张三" },
                    },
                    new Transaction
                    {
                        TransactionId = "BETA202611220907330001", BookedAt = At(22, 9, 7, 33), Amount = new Money { Currency = "CNY", MinorUnits = 3_000_000 },
                        Direction = TransferDirection.Debit, Channel = "MOBILE", Memo = "货款", CounterpartyIp = "10.23.4.56",
                        Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222021100998877665", AccountName = "赵六" },
                    },
                },
            },
        },
    };

    public static InboxItem TraceRequest => new()
    {
        ExchangeId = "ex-019a8f5b66778899aabbccddeeff0011",
        From = Police,
        Priority = Priority.Critical,
        SubmittedAt = At(22, 9, 13, 0),
        Deadline = At(22, 10, 13, 0),
        Case = Case(LegalBasis.EmergencyStopPayment),
        Request = new Request
        {
            CallTrace = new CallTraceRequest
            {
                CalledNumber = new PhoneNumber { E164 = "+8613800138000" },
                PresentedNumber = new PhoneNumber { E164 = "+861095566" },
                CallTime = At(22, 8, 51, 20),
                Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
                Kind = CommunicationKind.VoiceCall,
            },
        },
    };

    public static RespondRequest TraceAnswer => new()
    {
        ExchangeId = "ex-019a8f5b66778899aabbccddeeff0011",
        Result = new Result
        {
            CallTrace = new CallTraceResult
            {
                Status = TraceStatus.Found,
                CallerIdSpoofed = true,
                Hops =
                {
                    new CallHop
                    {
                        Sequence = 1, Network = "VoIP gateway, Phnom Penh", Gateway = "GW-KH-PP-07", Trunk = "SIP-INTL-3312", CountryOfEntry = "KH",
                        CallerIdSpoofed = true, IpAddress = "203.0.113.45",
                        PresentedNumber = new PhoneNumber { E164 = "+861095566" }, OriginalNumber = new PhoneNumber { E164 = "+85523880123" },
                        SeenAt = At(22, 8, 51, 18),
                    },
                    new CallHop
                    {
                        Sequence = 2, Network = "46000", Gateway = "GMSC-GZ-02", Trunk = "IGW-GZ-17", CountryOfEntry = "CN",
                        LocationArea = "LAC 0x2A1F", PresentedNumber = new PhoneNumber { E164 = "+861095566" },
                        SeenAt = At(22, 8, 51, 19),
                    },
                },
            },
        },
    };

    /// <summary>A police case-management system's freeze submission, in the JSON mapping of SubmitRequest.</summary>
    public static SubmitRequest PoliceSubmit => new()
    {
        IdempotencyKey = "SZ-2026-110-004217/freeze/1",
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-beta" },
        Priority = Priority.High,
        Case = new CaseRef
        {
            CaseNumber = "SZ-2026-110-004217",
            LegalBasis = LegalBasis.CriminalInvestigation,
            LegalReference = "深公(反诈)冻字[2026]4217号",
            ApprovingOfficer = "王建国",
            ApprovedAt = At(22, 9, 18, 0),
            Confidential = true,
            FollowTheMoney = new FollowTheMoney { Enabled = true, MaxDepth = 3, MinAmount = new Money { Currency = "CNY", MinorUnits = 100_000 } },
        },
        Request = new Request
        {
            Freeze = new FreezeNotice
            {
                Account = MuleAccount,
                Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 },
                Victim = new Person { Name = "张三", NationalId = "440301199203151234", Phone = new PhoneNumber { E164 = "+8613800138000" }, Address = "深圳市南山区科技园路1号" },
                ReportedTransfer = new Transaction
                {
                    TransactionId = "ALPHA20261122090512000417", BookedAt = At(22, 9, 5, 12),
                    Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 }, Direction = TransferDirection.Credit,
                    Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233445", AccountName = "张三" },
                },
                FreezePeriod = Duration.FromTimeSpan(TimeSpan.FromDays(180)),
                Reason = "Victim transferred 49,800 CNY to a fake customer-service agent.",
            },
        },
    };

    /// <summary>A return decision: 30,000 CNY out of the freeze at bank-beta back to the victim's own account at bank-alpha.</summary>
    public static IReadOnlyList<InboxItem> FundReturnNotices =>
    [
        new InboxItem
        {
            ExchangeId = "ex-019a9d11c4e27f3086b1a2c3d4e5f607",
            From = Police,
            Priority = Priority.Medium,
            SubmittedAt = At(28, 10, 0, 0),
            Deadline = At(30, 10, 0, 0),
            Case = Case(LegalBasis.CriminalInvestigation),
            Request = new Request
            {
                FundReturn = new FundReturn
                {
                    HoldExchangeId = "ex-019a8f3d7c2e7b11b2d4e6f8a0c1e3b5",
                    Account = MuleAccount,
                    Amount = new Money { Currency = "CNY", MinorUnits = 3_000_000 },
                    Victim = new Person { Name = "张三", NationalId = "440301********1234", Phone = new PhoneNumber { E164 = "+86138****8000" } },
                    VictimAccount = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222020200112233445", AccountName = "张三" },
                    DecisionReference = "深公(南)返字〔2026〕042号",
                    Reason = "Return decision after the freeze: the victim's own money.",
                },
            },
        },
    ];

    public static IReadOnlyList<RespondRequest> FundReturnResults =>
    [
        new RespondRequest
        {
            ExchangeId = "ex-019a9d11c4e27f3086b1a2c3d4e5f607",
            Result = new Result
            {
                FundReturn = new FundReturnResult
                {
                    Status = ReturnStatus.Returned,
                    AmountReturned = new Money { Currency = "CNY", MinorUnits = 3_000_000 },
                    ReturnedAt = At(28, 15, 20, 0),
                    TransferReference = "BETA-RTN-20261128-0007",
                },
            },
        },
    ];

    /// <summary>Every sample file: its name under docs/samples, how to write it, how to read it back.</summary>
    public static IEnumerable<(string File, Func<byte[]> Write, Func<byte[], object> Read, object Expected)> Files()
    {
        var clock = Clock();
        yield return ("fixed-width/notices.dat", () => new FixedWidthNotices(clock).Write(Notices), b => new FixedWidthNotices(clock).Read(b), Notices);
        yield return ("fixed-width/results.dat", () => new FixedWidthResults(clock, "bank-beta").Write(Results), b => new FixedWidthResults(clock, "bank-beta").Read(b), Results);
        yield return ("fixed-width/fund-return-notice.dat", () => new FixedWidthNotices(clock).Write(FundReturnNotices), b => new FixedWidthNotices(clock).Read(b), FundReturnNotices);
        yield return ("fixed-width/fund-return-result.dat", () => new FixedWidthResults(clock, "bank-beta").Write(FundReturnResults), b => new FixedWidthResults(clock, "bank-beta").Read(b), FundReturnResults);
        yield return ("iso20022/auth001-account-query.xml", () => new Auth001Queries().Write([AccountQuery]), b => new Auth001Queries().Read(b), new[] { AccountQuery });
        yield return ("iso20022/auth002-account-answer.xml", () => new Auth002Answers().Write([AccountAnswer]), b => new Auth002Answers().Read(b), new[] { AccountAnswer });
        yield return ("etsi-102657/trace-request.xml", () => new EtsiTraceRequests("CN").Write([TraceRequest]), b => new EtsiTraceRequests("CN").Read(b), new[] { TraceRequest });
        yield return ("etsi-102657/trace-response.xml", () => new EtsiTraceAnswers("CN", "carrier-east").Write([TraceAnswer]), b => new EtsiTraceAnswers("CN", "carrier-east").Read(b), new[] { TraceAnswer });
        yield return ("cdr-csv/trace-records.csv", () => new CdrCsvAnswers().Write([TraceAnswer]), b => new CdrCsvAnswers().Read(b), new[] { TraceAnswer });
        yield return ("json/police-freeze-submit.json", () => new CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor).Write([PoliceSubmit]),
            b => new CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor).Read(b), new[] { PoliceSubmit });
    }
}
