using System.Text;
using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Etsi;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using R = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Result;

namespace AntiFraud.Exchange.Adapters.Tests;

/// <summary>An invalid value is an error naming where and which field, never a silent default.</summary>
public sealed class TranslationErrorTests
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Samples.Folder, name));

    /// <summary>The sample results file with <paramref name="value"/> written over a column of its line <paramref name="line"/>.</summary>
    private static byte[] FixedWidth(int line, Column column, string value)
    {
        var bytes = Sample("fixed-width/results.dat");
        var start = 0;
        for (var i = 1; i < line; i++)
        {
            start = Array.IndexOf(bytes, (byte)'\n', start) + 1;
        }

        Encoding.ASCII.GetBytes(value.PadRight(column.Length)).CopyTo(bytes, start + column.Offset);
        return bytes;
    }

    private static TranslationException ReadResults(byte[] bytes) =>
        Assert.Throws<TranslationException>(() => new FixedWidthResults(TimeProvider.System, "bank-beta").Read(bytes));

    [Fact]
    public void FixedWidth_AmountWithDecimalPoint_IsRejectedAtItsColumn()
    {
        var error = ReadResults(FixedWidth(2, R.AmountFen, "000000012500.00"));
        Assert.Equal($"line 2, column {R.AmountFen.Start}", error.Position);
        Assert.StartsWith("AMOUNT-FEN", error.Field);
        Assert.Contains("decimal point", error.Problem);
    }

    [Fact]
    public void FixedWidth_ImpossibleDate_IsRejected()
    {
        var error = ReadResults(FixedWidth(2, R.ExecutedDate, "20261131"));
        Assert.Equal($"line 2, column {R.ExecutedDate.Start}", error.Position);
        Assert.Contains("executed_at", error.Field);
        Assert.Contains("'20261131' is not a date", error.Problem);
    }

    [Fact]
    public void FixedWidth_UnknownStatusCode_IsRejected_NotDefaulted()
    {
        var error = ReadResults(FixedWidth(5, R.Status, "77"));
        Assert.Equal($"line 5, column {R.Status.Start}", error.Position);
        Assert.Contains("unknown hold status '77'", error.Problem);
    }

    [Fact]
    public void FixedWidth_TrimmedRecord_NamesTheExpectedLength()
    {
        var text = Encoding.Latin1.GetString(Sample("fixed-width/results.dat")).Split("\r\n");
        text[4] = text[4].TrimEnd();
        var error = ReadResults(Encoding.Latin1.GetBytes(string.Join("\r\n", text)));
        Assert.Equal("line 5", error.Position);
        Assert.Contains($"a R record is {R.Layout.Length} bytes; this one is {text[4].Length}", error.Problem);
    }

    [Fact]
    public void FixedWidth_TrailerTotalsThatDoNotAddUp_AreRejected()
    {
        var error = ReadResults(FixedWidth(7, FixedWidthLayout.Trailer.RecordCount, "000000004"));
        Assert.Contains("declares 4 records; the file holds 3", error.Problem);
    }

    [Fact]
    public void FixedWidth_FileCutShort_IsRejected()
    {
        var bytes = Sample("fixed-width/results.dat");
        var error = ReadResults(bytes[..(bytes.Length / 2)]);
        Assert.Contains("line", error.Position);
    }

    [Fact]
    public void FixedWidth_OnwardCountWithoutItsRecords_IsRejected()
    {
        var error = ReadResults(FixedWidth(2, R.OnwardCount, "003"));
        Assert.Equal($"line 2, column {R.OnwardCount.Start}", error.Position);
        Assert.Contains("declares 3 onward transfers; 2 O records follow", error.Problem);
    }

    [Fact]
    public void FixedWidth_FundReturnWithoutItsVRecord_IsRejected_NotReadWithoutTheVictimsAccount()
    {
        // Drop line 3 (the V record after the RT notice on line 2): the return would have nowhere to pay.
        var bytes = Sample("fixed-width/fund-return-notice.dat");
        var third = Array.IndexOf(bytes, (byte)'\n', Array.IndexOf(bytes, (byte)'\n') + 1) + 1;
        var fourth = Array.IndexOf(bytes, (byte)'\n', third) + 1;
        Assert.Equal((byte)'V', bytes[third]);
        var error = Assert.Throws<TranslationException>(() => new FixedWidthNotices(TimeProvider.System).Read([.. bytes[..third], .. bytes[fourth..]]));
        Assert.Equal("line 2", error.Position);
        Assert.StartsWith("NOTICE-KIND", error.Field);
        Assert.Contains("must be followed by its V record", error.Message);

        var returned = Assert.Single(new FixedWidthNotices(TimeProvider.System).Read(Sample("fixed-width/fund-return-notice.dat")));
        Assert.Equal("6222020200112233445", returned.Request.FundReturn.VictimAccount.AccountNumber);
        Assert.Equal("深公(南)返字〔2026〕042号", returned.Request.FundReturn.DecisionReference);
    }

    [Fact]
    public void FixedWidth_NoticeThatDoesNotFit_IsRefusedOnWriting_NotTruncated()
    {
        var item = Samples.Notices[0].Clone();
        item.Request.StopPayment.Account.AccountName = new string('名', 31);
        var error = Assert.Throws<TranslationException>(() => new FixedWidthNotices(TimeProvider.System).Write([item]));
        Assert.Contains("ACCOUNT-NAME", error.Field);
        Assert.Contains("62 bytes in GB18030; the column holds 60", error.Problem);
    }

    [Fact]
    public void Iso20022_AmountWithTooManyDecimals_NamesTheXmlPath()
    {
        var xml = Encoding.UTF8.GetString(Sample("iso20022/auth002-account-answer.xml")).Replace(">30000.00<", ">30000.005<", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new Auth002Answers().Read(Encoding.UTF8.GetBytes(xml)));
        Assert.StartsWith("/Document/InfReqRspn/RtrInd/InvstgtnRslt/Rslt/Acct/Ntry[2]/Amt (line ", error.Position);
        Assert.Contains("more decimal places than CNY allows", error.Problem);
    }

    [Fact]
    public void Iso20022_UnknownResponseStatus_IsRejected()
    {
        var xml = Encoding.UTF8.GetString(Sample("iso20022/auth002-account-answer.xml")).Replace(">COMP<", ">DONE<", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new Auth002Answers().Read(Encoding.UTF8.GetBytes(xml)));
        Assert.StartsWith("/Document/InfReqRspn/RspnSts", error.Position);
        Assert.Contains("unknown response status 'DONE'", error.Problem);
    }

    [Fact]
    public void Iso20022_MalformedXml_GivesLineAndColumn()
    {
        var xml = Encoding.UTF8.GetString(Sample("iso20022/auth002-account-answer.xml")).Replace("</RspnSts>", "</RspnStatus>", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new Auth002Answers().Read(Encoding.UTF8.GetBytes(xml)));
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
    }

    [Fact]
    public void Iso20022_DeclarationTheReaderCannotDecode_IsATranslationError()
    {
        // Found by MutationTests (seed 6173673): a stray byte inside the version string makes .NET's
        // XML reader throw ArgumentOutOfRangeException while switching encoding, not XmlException.
        var bytes = Convert.FromHexString("3C3F786D6C2076657273696F6E3D22312E309D2220656E636F64696E673D227574662D38223F3E");
        var error = Assert.Throws<TranslationException>(() => new Auth002Answers().Read(bytes));
        Assert.Equal("document", error.Field);
        Assert.Contains("cannot be decoded", error.Problem);
    }

    [Fact]
    public void Iso20022_ExternalEntities_AreRefused()
    {
        var xml = """<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.002.001.01">&x;</Document>""";
        var error = Assert.Throws<TranslationException>(() => new Auth002Answers().Read(Encoding.UTF8.GetBytes(xml)));
        Assert.Contains("DTD", error.Problem);
    }

    [Fact]
    public void Etsi_BadTimestamp_NamesTheRecord()
    {
        var xml = Encoding.UTF8.GetString(Sample("etsi-102657/trace-response.xml")).Replace("2026-11-22T08:51:19+08:00", "22/11/2026 08:51", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new EtsiTraceAnswers("CN", "carrier-east").Read(Encoding.UTF8.GetBytes(xml)));
        Assert.StartsWith("/RetainedDataMessage/responseMessage/responseRecords/retainedDataRecord[2]/telephonyServiceUsage/communicationTime", error.Position);
        Assert.Contains("hops[].seen_at", error.Field);
    }

    [Fact]
    public void Csv_UnknownSpoofingFlag_NamesLineAndColumn()
    {
        var csv = Encoding.UTF8.GetString(Sample("cdr-csv/trace-records.csv")).Replace(",N,", ",maybe,", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new CdrCsvAnswers().Read(Encoding.UTF8.GetBytes(csv)));
        Assert.Equal("line 3, field 11", error.Position);
        Assert.Equal("caller_id_spoofed", error.Field);
    }

    [Fact]
    public void Csv_UnknownStatus_And_UnclosedQuote_AreRejected()
    {
        var csv = Encoding.UTF8.GetString(Sample("cdr-csv/trace-records.csv"));
        var status = Assert.Throws<TranslationException>(() => new CdrCsvAnswers().Read(Encoding.UTF8.GetBytes(csv.Replace(",FOUND,1,", ",OK,1,", StringComparison.Ordinal))));
        Assert.Contains("unknown status 'OK'", status.Problem);
        var quote = Assert.Throws<TranslationException>(() => new CdrCsvAnswers().Read(Encoding.UTF8.GetBytes(csv.Replace("\"VoIP", "\"\"VoIP", StringComparison.Ordinal) + "\"open")));
        Assert.StartsWith("line 2", quote.Position);
    }

    [Fact]
    public void Json_UnknownField_IsAnError_NotIgnored()
    {
        var json = Encoding.UTF8.GetString(Sample("json/police-freeze-submit.json")).Replace("\"idempotencyKey\"", "\"idempotencyKeyy\"", StringComparison.Ordinal);
        var error = Assert.Throws<TranslationException>(() => new CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor).Read(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("idempotencyKeyy", error.Problem);
    }

    [Fact]
    public void Json_SyntaxError_GivesLineAndColumn()
    {
        var error = Assert.Throws<TranslationException>(() => new CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor).Read("{\n  \"priority\": ,\n}"u8));
        Assert.Equal("line 2, column 15", error.Position);
    }
}
