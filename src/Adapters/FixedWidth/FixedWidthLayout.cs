using System.Text;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>How a column is written, in copybook terms.</summary>
internal enum Pic
{
    /// <summary>PIC X: GB18030 text, left-aligned, padded with spaces.</summary>
    Text,

    /// <summary>PIC X, ASCII only: identifiers and codes.</summary>
    Code,

    /// <summary>PIC 9: unsigned digits, zero-padded on the left; all spaces when absent.</summary>
    Digits,

    /// <summary>PIC 9(8): a date as yyyyMMdd, China Standard Time; all spaces when absent.</summary>
    Date,

    /// <summary>PIC 9(6): a time as HHmmss, China Standard Time; all spaces when absent.</summary>
    Time,
}

/// <summary>One column of a record: 1-based start byte, width in bytes.</summary>
internal sealed record Column(string Name, int Start, int Length, Pic Pic, string Canonical, string Note)
{
    public int Offset => Start - 1;

    /// <summary>"AMOUNT-FEN (amount.minor_units)" in error messages.</summary>
    public string Label => Canonical.Length == 0 ? Name : $"{Name} ({Canonical})";
}

/// <summary>One record type: its type letter, its columns in order, and its length.</summary>
internal sealed class RecordLayout(char type, string title, IReadOnlyList<Column> columns)
{
    public char Type { get; } = type;

    public string Title { get; } = title;

    public IReadOnlyList<Column> Columns { get; } = columns;

    public int Length { get; } = columns[^1].Start + columns[^1].Length - 1;

    /// <summary>Builds columns in order so each layout reads like a copybook.</summary>
    internal sealed class Builder(char type, string title)
    {
        private readonly List<Column> _columns = [];
        private int _next = 1;

        public Column Add(string name, int length, Pic pic, string canonical = "", string note = "")
        {
            var column = new Column(name, _next, length, pic, canonical, note);
            _columns.Add(column);
            _next += length;
            return column;
        }

        public RecordLayout Build() => new(type, title, _columns);
    }

    /// <summary>A Markdown table of the layout, as published in docs/adapters.md.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| Column | Start | Length | PIC | Canonical field | Notes |\n|---|---:|---:|---|---|---|\n");
        foreach (var c in Columns)
        {
            var pic = c.Pic switch
            {
                Pic.Text => $"X({c.Length})",
                Pic.Code => $"X({c.Length}) ASCII",
                Pic.Digits => $"9({c.Length})",
                Pic.Date => "9(8) yyyyMMdd",
                _ => "9(6) HHmmss",
            };
            text.Append($"| {c.Name} | {c.Start} | {c.Length} | {pic} | {(c.Canonical.Length == 0 ? "" : "`" + c.Canonical + "`")} | {c.Note} |\n");
        }

        return text.ToString();
    }
}

/// <summary>
/// The legacy bank record layout, version AFX1: a header record, the notice or result records, and a
/// trailer with control totals. Records are fixed length, GB18030, one per line (CRLF written, LF also
/// read). Amounts are whole fen (or the currency's minor unit); dates and times are China Standard Time.
/// </summary>
internal static class FixedWidthLayout
{
    public const string Version = "AFX1";

    public static class Header
    {
        private static readonly RecordLayout.Builder B = new('H', "Header: first record of every file");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`H`");
        public static readonly Column LayoutVersion = B.Add("LAYOUT-VERSION", 4, Pic.Code, note: "`AFX1`");
        public static readonly Column FileKind = B.Add("FILE-KIND", 1, Pic.Code,
            note: "`N` notices (hub to bank), `R` results (bank to hub)");
        public static readonly Column SenderId = B.Add("SENDER-ID", 40, Pic.Code, note: "`afx-hub` or the bank's partner id");
        public static readonly Column CreatedDate = B.Add("CREATED-DATE", 8, Pic.Date);
        public static readonly Column CreatedTime = B.Add("CREATED-TIME", 6, Pic.Time);
        public static readonly RecordLayout Layout = B.Build();
    }

    public static class Notice
    {
        private static readonly RecordLayout.Builder B = new('N', "Notice: one stop-payment, freeze, freeze release or fund return");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`N`");
        public static readonly Column Kind = B.Add("NOTICE-KIND", 2, Pic.Code, "request (which case)",
            "`SP` stop-payment, `FZ` freeze, `FR` freeze release, `RT` fund return (followed by its V record)");
        public static readonly Column ExchangeId = B.Add("EXCHANGE-ID", 40, Pic.Code, "exchange_id", "quote it in the result");
        public static readonly Column ParentExchangeId = B.Add("PARENT-EXCHANGE-ID", 40, Pic.Code, "parent_exchange_id",
            "set on follow-the-money notices");
        public static readonly Column SenderId = B.Add("SENDER-ID", 40, Pic.Code, "from.id", "the police centre");
        public static readonly Column Priority = B.Add("PRIORITY", 1, Pic.Digits, "priority", "1 critical, 2 high, 3 medium, 4 low");
        public static readonly Column SubmittedDate = B.Add("SUBMITTED-DATE", 8, Pic.Date, "submitted_at");
        public static readonly Column SubmittedTime = B.Add("SUBMITTED-TIME", 6, Pic.Time, "submitted_at");
        public static readonly Column DeadlineDate = B.Add("DEADLINE-DATE", 8, Pic.Date, "deadline", "answer before this");
        public static readonly Column DeadlineTime = B.Add("DEADLINE-TIME", 6, Pic.Time, "deadline");
        public static readonly Column CaseNumber = B.Add("CASE-NUMBER", 32, Pic.Code, "case.case_number");
        public static readonly Column LegalBasis = B.Add("LEGAL-BASIS", 2, Pic.Digits, "case.legal_basis",
            "01 emergency stop-payment, 02 criminal investigation, 03 preliminary check, 04 court order");
        public static readonly Column LegalReference = B.Add("LEGAL-REFERENCE", 40, Pic.Text, "case.legal_reference");
        public static readonly Column ApprovingOfficer = B.Add("APPROVING-OFFICER", 30, Pic.Text, "case.approving_officer");
        public static readonly Column Confidential = B.Add("CONFIDENTIAL", 1, Pic.Code, "case.confidential",
            "`Y`: do not alert the account holder; `N`");
        public static readonly Column BankId = B.Add("BANK-ID", 40, Pic.Code, "account.bank_id");
        public static readonly Column AccountNumber = B.Add("ACCOUNT-NUMBER", 34, Pic.Text, "account.account_number",
            "as masked for the bank");
        public static readonly Column AccountName = B.Add("ACCOUNT-NAME", 60, Pic.Text, "account.account_name");
        public static readonly Column Currency = B.Add("CURRENCY", 3, Pic.Code, "amount.currency", "ISO 4217, `CNY`");
        public static readonly Column AmountFen = B.Add("AMOUNT-FEN", 15, Pic.Digits, "amount.minor_units",
            "spaces for a release; for a return, the amount to pay to the victim");
        public static readonly Column VictimName = B.Add("VICTIM-NAME", 30, Pic.Text, "victim.name");
        public static readonly Column VictimId = B.Add("VICTIM-ID", 32, Pic.Text, "victim.national_id");
        public static readonly Column VictimPhone = B.Add("VICTIM-PHONE", 32, Pic.Text, "victim.phone.e164");
        public static readonly Column TransferId = B.Add("TRANSFER-ID", 40, Pic.Code, "reported_transfer.transaction_id",
            "the victim's transfer into the account");
        public static readonly Column TransferDate = B.Add("TRANSFER-DATE", 8, Pic.Date, "reported_transfer.booked_at");
        public static readonly Column TransferTime = B.Add("TRANSFER-TIME", 6, Pic.Time, "reported_transfer.booked_at");
        public static readonly Column TransferCurrency = B.Add("TRANSFER-CURRENCY", 3, Pic.Code, "reported_transfer.amount.currency");
        public static readonly Column TransferFen = B.Add("TRANSFER-FEN", 15, Pic.Digits, "reported_transfer.amount.minor_units");
        public static readonly Column TransferFromBank = B.Add("TRANSFER-FROM-BANK", 40, Pic.Code,
            "reported_transfer.counterparty.bank_id", "the victim's bank");
        public static readonly Column TransferFromAccount = B.Add("TRANSFER-FROM-ACCOUNT", 34, Pic.Text,
            "reported_transfer.counterparty.account_number");
        public static readonly Column PeriodSeconds = B.Add("PERIOD-SECONDS", 10, Pic.Digits, "hold_period / freeze_period",
            "spaces: the hub's default (stop-payment) or until released (freeze)");
        public static readonly Column RelatedExchangeId = B.Add("RELATED-EXCHANGE-ID", 40, Pic.Code,
            "renews_exchange_id / freeze_exchange_id / hold_exchange_id",
            "the stop-payment renewed, the freeze released, or the hold a return pays out of");
        public static readonly Column Reason = B.Add("REASON", 200, Pic.Text, "reason", "line breaks are written as spaces");
        public static readonly RecordLayout Layout = B.Build();
    }

    public static class Result
    {
        private static readonly RecordLayout.Builder B = new('R', "Result: the bank's answer to one notice");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`R`");
        public static readonly Column Kind = B.Add("NOTICE-KIND", 2, Pic.Code, "result (which case)", "as in the notice");
        public static readonly Column ExchangeId = B.Add("EXCHANGE-ID", 40, Pic.Code, "exchange_id", "from the notice");
        public static readonly Column Status = B.Add("STATUS", 2, Pic.Digits, "status",
            "see the status codes below; `99` refuses the notice");
        public static readonly Column Currency = B.Add("CURRENCY", 3, Pic.Code, "amount_held.currency / amount_released.currency",
            "also the currency of BALANCE-FEN");
        public static readonly Column AmountFen = B.Add("AMOUNT-FEN", 15, Pic.Digits, "amount_held / amount_released / amount_returned",
            "spaces when none");
        public static readonly Column ExecutedDate = B.Add("EXECUTED-DATE", 8, Pic.Date, "executed_at / released_at / returned_at");
        public static readonly Column ExecutedTime = B.Add("EXECUTED-TIME", 6, Pic.Time, "executed_at / released_at / returned_at");
        public static readonly Column ExpiresDate = B.Add("EXPIRES-DATE", 8, Pic.Date, "hold_expires_at",
            "spaces for a freeze without a limit");
        public static readonly Column ExpiresTime = B.Add("EXPIRES-TIME", 6, Pic.Time, "hold_expires_at");
        public static readonly Column BalanceSign = B.Add("BALANCE-SIGN", 1, Pic.Code, "balance_after",
            "`+` or `-`; space when no balance is given");
        public static readonly Column BalanceFen = B.Add("BALANCE-FEN", 15, Pic.Digits, "balance_after.minor_units");
        public static readonly Column OnwardCount = B.Add("ONWARD-COUNT", 3, Pic.Digits, "onward_transfers (count)",
            "how many O records follow");
        public static readonly Column Reason = B.Add("REASON", 200, Pic.Text, "reason / rejection_reason", "required with status 99");
        public static readonly RecordLayout Layout = B.Build();
    }

    public static class Onward
    {
        private static readonly RecordLayout.Builder B = new('O', "Onward transfer: where the money went next; follows its R record");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`O`");
        public static readonly Column ExchangeId = B.Add("EXCHANGE-ID", 40, Pic.Code, "", "the same as the R record above");
        public static readonly Column Sequence = B.Add("SEQUENCE", 3, Pic.Digits, "", "1, 2, 3 ...");
        public static readonly Column TransactionId = B.Add("TRANSACTION-ID", 40, Pic.Code, "onward_transfers[].transaction_id");
        public static readonly Column BookedDate = B.Add("BOOKED-DATE", 8, Pic.Date, "onward_transfers[].booked_at");
        public static readonly Column BookedTime = B.Add("BOOKED-TIME", 6, Pic.Time, "onward_transfers[].booked_at");
        public static readonly Column Currency = B.Add("CURRENCY", 3, Pic.Code, "onward_transfers[].amount.currency");
        public static readonly Column AmountFen = B.Add("AMOUNT-FEN", 15, Pic.Digits, "onward_transfers[].amount.minor_units");
        public static readonly Column Direction = B.Add("DIRECTION", 1, Pic.Code, "onward_transfers[].direction",
            "`D` debit (money out), `C` credit");
        public static readonly Column ToBank = B.Add("TO-BANK-ID", 40, Pic.Code, "onward_transfers[].counterparty.bank_id",
            "the hub's id of the receiving bank");
        public static readonly Column ToAccount = B.Add("TO-ACCOUNT-NUMBER", 34, Pic.Text,
            "onward_transfers[].counterparty.account_number");
        public static readonly Column ToName = B.Add("TO-ACCOUNT-NAME", 60, Pic.Text, "onward_transfers[].counterparty.account_name");
        public static readonly Column Channel = B.Add("CHANNEL", 16, Pic.Code, "onward_transfers[].channel",
            "`MOBILE`, `ATM`, `COUNTER`, `THIRD_PARTY_PAY` ...");
        public static readonly Column Memo = B.Add("MEMO", 60, Pic.Text, "onward_transfers[].memo", "line breaks are written as spaces");
        public static readonly RecordLayout Layout = B.Build();
    }

    public static class Return
    {
        private static readonly RecordLayout.Builder B = new('V',
            "Fund return: where a return (RT) pays, after its N record; the bank's transfer reference, after its R record");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`V`");
        public static readonly Column ExchangeId = B.Add("EXCHANGE-ID", 40, Pic.Code, "", "the same as the N or R record above");
        public static readonly Column ToBank = B.Add("TO-BANK-ID", 40, Pic.Code, "victim_account.bank_id",
            "the victim's bank (any bank, not only partners); spaces in results");
        public static readonly Column ToAccount = B.Add("TO-ACCOUNT-NUMBER", 34, Pic.Text, "victim_account.account_number",
            "the victim's own account, in full");
        public static readonly Column ToName = B.Add("TO-ACCOUNT-NAME", 60, Pic.Text, "victim_account.account_name");
        public static readonly Column Decision = B.Add("DECISION-REFERENCE", 64, Pic.Text, "decision_reference",
            "the police return decision (返还决定书) to file with the transfer");
        public static readonly Column TransferReference = B.Add("TRANSFER-REFERENCE", 40, Pic.Code, "transfer_reference",
            "results: the bank's reference for the transfer to the victim; spaces in notices");
        public static readonly RecordLayout Layout = B.Build();
    }

    public static class Trailer
    {
        private static readonly RecordLayout.Builder B = new('T', "Trailer: last record of every file, with control totals");
        public static readonly Column RecType = B.Add("REC-TYPE", 1, Pic.Code, note: "`T`");
        public static readonly Column RecordCount = B.Add("RECORD-COUNT", 9, Pic.Digits,
            note: "the number of N or R records (O records not counted)");
        public static readonly Column TotalFen = B.Add("TOTAL-FEN", 18, Pic.Digits, note: "the sum of AMOUNT-FEN over the N or R records");
        public static readonly RecordLayout Layout = B.Build();
    }

    public static readonly IReadOnlyList<RecordLayout> All =
        [Header.Layout, Notice.Layout, Result.Layout, Onward.Layout, Return.Layout, Trailer.Layout];
}
