using System.Globalization;
using CsvHelper;
using Junipeer.Connectors.Payments.Adyen;
using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>The settlement details report parser against a realistic sample (totals worked out by hand in the comments).</summary>
public class AdyenSettlementReportTests
{
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Payouts", "Samples", "settlement_detail_report_batch_42.csv");

    private static Task<Payout> ParseAsync(string csv, string merchant = "NordTrailSE", long batch = 42) =>
        AdyenSettlementReport.ToPayoutAsync(new StringReader(csv), merchant, batch, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Sample_report_becomes_one_payout_with_totals_checked_by_hand()
    {
        var payout = await ParseAsync(await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken));

        // MerchantPayout row: net debit 1100.98 = 1226.25 + 489.52 − 200.00 − 357.49 − 12.30 − 45.00.
        Assert.Equal(PayoutProviders.Adyen, payout.Provider);
        Assert.Equal("NordTrailSE:42", payout.PayoutId);
        Assert.Equal("adyen:NordTrailSE:42", payout.Key);
        Assert.Equal("SEK", payout.Currency);
        Assert.Equal(1100.98m, payout.Total);
        Assert.Equal(new DateOnly(2026, 5, 5), payout.Date);
        Assert.Equal(6, payout.Lines.Count);
        Assert.Equal(payout.Total, payout.Lines.Sum(l => l.Net));

        // Settled 1250.00 gross, 1226.25 net: fee 23.75 = commission 8.75 + scheme 3.00 + interchange 12.00.
        var s1 = payout.Lines.Single(l => l.Reference == "NT-5001");
        Assert.Equal((PayoutLineKind.Sale, "8815170223456782", 1250.00m, 23.75m, 1226.25m), (s1.Kind, s1.TransactionId, s1.Gross, s1.Fee, s1.Net));
        var s2 = payout.Lines.Single(l => l.Reference == "NT-5002");
        Assert.Equal((PayoutLineKind.Sale, 499.00m, 9.48m), (s2.Kind, s2.Gross, s2.Fee));

        // Refund: money out, no fee.
        var r = payout.Lines.Single(l => l.Reference == "NT-4990");
        Assert.Equal((PayoutLineKind.Refund, "8815170323456703", -200.00m, 0m), (r.Kind, r.TransactionId, r.Gross, r.Fee));

        // Chargeback: gross 349.99 debited, net 357.49: the 7.50 chargeback fee (in Commission).
        var c = payout.Lines.Single(l => l.Reference == "NT-4980");
        Assert.Equal((PayoutLineKind.Chargeback, -349.99m, 7.50m, -357.49m), (c.Kind, c.Gross, c.Fee, c.Net));

        // Batch-level rows: the processing fee (quoted text with a comma) and the invoice deduction.
        var fee = payout.Lines.Single(l => l.Kind == PayoutLineKind.Fee);
        Assert.Equal((0m, 12.30m, "Transaction Fees, May 2026"), (fee.Gross, fee.Fee, fee.Reference));
        var other = payout.Lines.Single(l => l.Kind == PayoutLineKind.Other);
        Assert.Equal(-45.00m, other.Net);
        Assert.All(payout.Lines, l => Assert.Equal("SEK", l.Currency));
        Assert.Equal(payout.Lines.Count, payout.Lines.Select(l => l.TransactionId).Distinct().Count());
    }

    [Fact]
    public async Task Columns_are_read_by_header_name_whatever_their_order()
    {
        var original = await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken);
        var shuffled = Permute(original, seed: 7);
        Assert.NotEqual(original.Split('\n')[0], shuffled.Split('\n')[0]);

        var a = await ParseAsync(original);
        var b = await ParseAsync(shuffled);
        Assert.Equal(a.Total, b.Total);
        Assert.Equal(a.Date, b.Date);
        Assert.Equal(a.Lines, b.Lines);
    }

    [Fact]
    public async Task Missing_required_column_is_PAYOUT_REPORT_INVALID_naming_it()
    {
        var csv = DropColumn(await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken), "Net Credit (NC)");
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => ParseAsync(csv));
        Assert.Equal(ErrorCodes.PayoutReportInvalid, ex.Code);
        Assert.Contains("'Net Credit (NC)'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Optional_fee_columns_may_be_missing_the_fee_is_gross_minus_net()
    {
        var csv = await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken);
        foreach (var col in new[] { "Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)" })
            csv = DropColumn(csv, col);
        var payout = await ParseAsync(csv);
        Assert.Equal(23.75m, payout.Lines.Single(l => l.Reference == "NT-5001").Fee);
        Assert.Equal(1100.98m, payout.Total);
    }

    [Theory]
    [InlineData("unclosed quote", "NordTrailCompany,NordTrailSE,,,,2026-05-05 00:20:00,CEST,Fee,\"Transaction Fees,SEK,1.00,,1,SEK,1.00,,,,,,,,42,,,,,,,\n")]
    [InlineData("extra field", "NordTrailCompany,NordTrailSE,,,,2026-05-05 00:20:00,CEST,Fee,x,SEK,1.00,,1,SEK,1.00,,,,,,,,42,,,,,,,,extra\n")]
    [InlineData("amount", "NordTrailCompany,NordTrailSE,,,,2026-05-05 00:20:00,CEST,Fee,x,SEK,1.00,,1,SEK,1;00,,,,,,,,42,,,,,,,\n")]
    [InlineData("date", "NordTrailCompany,NordTrailSE,,,,05/05/2026,CEST,Fee,x,SEK,1.00,,1,SEK,1.00,,,,,,,,42,,,,,,,\n")]
    [InlineData("another batch", "NordTrailCompany,NordTrailSE,,,,2026-05-05 00:20:00,CEST,Fee,x,SEK,1.00,,1,SEK,1.00,,,,,,,,43,,,,,,,\n")]
    [InlineData("another merchant", "NordTrailCompany,OtherShop,,,,2026-05-05 00:20:00,CEST,Fee,x,SEK,1.00,,1,SEK,1.00,,,,,,,,42,,,,,,,\n")]
    public async Task Malformed_rows_are_PAYOUT_REPORT_INVALID_with_the_line(string what, string badRow)
    {
        var csv = await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken);
        var lines = csv.TrimEnd('\n').Split('\n').ToList();
        lines.Insert(3, badRow.TrimEnd('\n'));
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => ParseAsync(string.Join('\n', lines) + "\n"));
        Assert.Equal(ErrorCodes.PayoutReportInvalid, ex.Code);
        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task Empty_file_and_header_only_are_PAYOUT_REPORT_INVALID()
    {
        Assert.Equal(ErrorCodes.PayoutReportInvalid, (await Assert.ThrowsAsync<JunipeerException>(() => ParseAsync(""))).Code);
        var header = (await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken)).Split('\n')[0] + "\n";
        Assert.Equal(ErrorCodes.PayoutReportInvalid, (await Assert.ThrowsAsync<JunipeerException>(() => ParseAsync(header))).Code);
    }

    [Fact]
    public async Task Rows_stream_one_at_a_time_and_stop_at_the_first_bad_row()
    {
        // The reader yields rows before it has seen the rest of the file: the bad row is met only when reached.
        var csv = await File.ReadAllTextAsync(SamplePath, TestContext.Current.CancellationToken);
        csv += "NordTrailCompany,NordTrailSE,\"broken\n";
        var seen = new List<string>();
        var ex = await Assert.ThrowsAsync<JunipeerException>(async () =>
        {
            await foreach (var row in AdyenSettlementReport.ReadRowsAsync(new StringReader(csv), TestContext.Current.CancellationToken))
                seen.Add(row.Type);
        });
        Assert.Equal(ErrorCodes.PayoutReportInvalid, ex.Code);
        Assert.Equal(["Settled", "Settled", "Refunded", "Chargeback", "Fee", "InvoiceDeduction", "MerchantPayout"], seen);
    }

    [Fact]
    public void Record_types_map_as_documented_and_unknown_types_are_other()
    {
        Assert.Equal(PayoutLineKind.Sale, AdyenSettlementReport.KindOf("Settled"));
        Assert.Equal(PayoutLineKind.Refund, AdyenSettlementReport.KindOf("Refunded"));
        Assert.Equal(PayoutLineKind.Chargeback, AdyenSettlementReport.KindOf("SecondChargeback"));
        Assert.Equal(PayoutLineKind.Fee, AdyenSettlementReport.KindOf("MiscCosts"));
        Assert.Equal(PayoutLineKind.Other, AdyenSettlementReport.KindOf("Balancetransfer"));
        Assert.Equal(PayoutLineKind.Other, AdyenSettlementReport.KindOf("SomeFutureJournalType"));
        Assert.Null(AdyenSettlementReport.KindOf("MerchantPayout"));
    }

    private static List<string[]> Rows(string csv)
    {
        using var parser = new CsvParser(new StringReader(csv), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (parser.Read())
            rows.Add(parser.Record!);
        return rows;
    }

    private static string Write(IEnumerable<string[]> rows)
    {
        using var sw = new StringWriter();
        using (var w = new CsvWriter(sw, CultureInfo.InvariantCulture))
        {
            foreach (var r in rows)
            {
                foreach (var f in r)
                    w.WriteField(f);
                w.NextRecord();
            }
        }

        return sw.ToString();
    }

    private static string Permute(string csv, int seed)
    {
        var rows = Rows(csv);
        var order = Enumerable.Range(0, rows[0].Length).OrderBy(_ => 0).ToArray();
        new Random(seed).Shuffle(order);
        return Write(rows.Select(r => order.Select(i => r[i]).ToArray()));
    }

    private static string DropColumn(string csv, string column)
    {
        var rows = Rows(csv);
        var i = Array.IndexOf(rows[0], column);
        Assert.True(i >= 0);
        return Write(rows.Select(r => r.Where((_, k) => k != i).ToArray()));
    }
}
