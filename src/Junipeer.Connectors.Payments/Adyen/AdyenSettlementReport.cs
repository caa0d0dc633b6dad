using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using CsvHelper.Configuration;
using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;

namespace Junipeer.Connectors.Payments.Adyen;

/// <summary>One row of an Adyen settlement details report, amounts as printed (positive; the Debit/Credit column gives the direction).</summary>
public sealed record AdyenSettlementRow
{
    /// <summary>1-based line in the file (the header is line 1).</summary>
    public required int Line { get; init; }
    public required string Type { get; init; }
    public required string MerchantAccount { get; init; }
    public string? PspReference { get; init; }
    public string? MerchantReference { get; init; }
    public string? ModificationReference { get; init; }
    public string? ModificationMerchantReference { get; init; }
    public required DateTime CreationDate { get; init; }
    public required string GrossCurrency { get; init; }
    public decimal GrossDebit { get; init; }
    public decimal GrossCredit { get; init; }
    public required string NetCurrency { get; init; }
    public decimal NetDebit { get; init; }
    public decimal NetCredit { get; init; }

    /// <summary>Commission + Markup + Scheme Fees + Interchange (NC), those columns the report has.</summary>
    public decimal FeeColumns { get; init; }
    public required string BatchNumber { get; init; }

    /// <summary>Signed: credit − debit, in the net (settlement) currency.</summary>
    public decimal Net => NetCredit - NetDebit;

    /// <summary>Signed: credit − debit, in the gross (transaction) currency.</summary>
    public decimal Gross => GrossCredit - GrossDebit;
}

/// <summary>
/// Reads Adyen's settlement details report (contract: contracts/adyen/settlement-detail-report.columns.json).
/// <list type="bullet">
/// <item>Columns are found <b>by header name</b> (trimmed, case-insensitive), never by position: since
/// Adyen's 2023 report platform accounts may add columns and change their order.</item>
/// <item>Streamed: rows are read one at a time with CsvHelper from a <see cref="TextReader"/>; the
/// file is never held whole (see bench <c>--mode adyen-parse</c>).</item>
/// <item>Batches: Adyen produces one report per settlement (payout) batch, every row carries its
/// <c>Batch Number</c>, and the batch is closed by its <c>MerchantPayout</c> row (the amount paid to the
/// bank; a <c>Balancetransfer</c> carries money to or from another batch). So one file is one payout:
/// the <c>MerchantPayout</c> rows give its total and date, every other row is one of its lines. A row of
/// another batch or merchant account makes the report invalid.</item>
/// <item>Malformed CSV, a missing required column, an unparsable amount or date → <see cref="ErrorCodes.PayoutReportInvalid"/>
/// naming the line (or the column).</item>
/// </list>
/// </summary>
public static class AdyenSettlementReport
{
    public const string MerchantAccount = "Merchant Account";
    public const string PspReference = "Psp Reference";
    public const string MerchantReference = "Merchant Reference";
    public const string CreationDate = "Creation Date";
    public const string Type = "Type";
    public const string ModificationReference = "Modification Reference";
    public const string GrossCurrency = "Gross Currency";
    public const string GrossDebit = "Gross Debit (GC)";
    public const string GrossCredit = "Gross Credit (GC)";
    public const string NetCurrency = "Net Currency";
    public const string NetDebit = "Net Debit (NC)";
    public const string NetCredit = "Net Credit (NC)";
    public const string Commission = "Commission (NC)";
    public const string Markup = "Markup (NC)";
    public const string SchemeFees = "Scheme Fees (NC)";
    public const string Interchange = "Interchange (NC)";
    public const string ModificationMerchantReference = "Modification Merchant Reference";
    public const string BatchNumber = "Batch Number";

    /// <summary>The columns the booking is built from; without one the report is refused.</summary>
    public static readonly IReadOnlyList<string> Required =
    [
        MerchantAccount, MerchantReference, CreationDate, Type, ModificationReference, GrossCurrency, GrossDebit, GrossCredit,
        NetCurrency, NetDebit, NetCredit, BatchNumber,
    ];

    /// <summary>Read when present (the fee split only matters when gross and net currency differ).</summary>
    public static readonly IReadOnlyList<string> Optional = [PspReference, Commission, Markup, SchemeFees, Interchange, ModificationMerchantReference];

    /// <summary>The documented file name of batch <paramref name="batchNumber"/>.</summary>
    public static string FileName(long batchNumber) => $"settlement_detail_report_batch_{batchNumber.ToString(CultureInfo.InvariantCulture)}.csv";

    /// <summary>Streams the rows of a report, validating the header first.</summary>
    public static async IAsyncEnumerable<AdyenSettlementRow> ReadRowsAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectColumnCountChanges = true,
            IgnoreBlankLines = true,
            TrimOptions = TrimOptions.None,
        };
        using var csv = new CsvReader(reader, config);
        if (!await ReadAsync(csv, 1))
            throw Invalid("the report is empty (no header line).");
        string[] header;
        try
        {
            csv.ReadHeader();
            header = csv.HeaderRecord ?? [];
        }
        catch (CsvHelperException ex)
        {
            throw Invalid($"the header line cannot be read: {ex.Message.Split('\n')[0]}");
        }

        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
            index.TryAdd(header[i].Trim().TrimStart('\uFEFF'), i);
        var missing = Required.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw Invalid($"required column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} missing from the header (columns are found by name; found: {string.Join(", ", header.Take(40).Select(h => $"'{h}'"))}).");

        int Col(string name) => index.TryGetValue(name, out var i) ? i : -1;
        var merchant = Col(MerchantAccount);
        var psp = Col(PspReference);
        var mref = Col(MerchantReference);
        var created = Col(CreationDate);
        var type = Col(Type);
        var mod = Col(ModificationReference);
        var gcur = Col(GrossCurrency);
        var gdeb = Col(GrossDebit);
        var gcred = Col(GrossCredit);
        var ncur = Col(NetCurrency);
        var ndeb = Col(NetDebit);
        var ncred = Col(NetCredit);
        int[] fees = [Col(Commission), Col(Markup), Col(SchemeFees), Col(Interchange)];
        var modMref = Col(ModificationMerchantReference);
        var batch = Col(BatchNumber);

        var line = 1;
        while (await ReadAsync(csv, line + 1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            line = csv.Parser.Row;
            string F(int i) => i < 0 ? "" : (csv.GetField(i) ?? "").Trim();
            string? N(int i) => F(i) is { Length: > 0 } v ? v : null;
            var t = F(type);
            if (t.Length == 0)
                throw Invalid($"line {line} has no '{Type}'.");
            var feeSum = 0m;
            foreach (var f in fees)
                feeSum += Amount(F(f), line, f < 0 ? "" : header[f]);
            yield return new AdyenSettlementRow
            {
                Line = line,
                Type = t,
                MerchantAccount = F(merchant),
                PspReference = N(psp),
                MerchantReference = N(mref),
                ModificationReference = N(mod),
                ModificationMerchantReference = N(modMref),
                CreationDate = Date(F(created), line),
                GrossCurrency = F(gcur).ToUpperInvariant(),
                GrossDebit = Amount(F(gdeb), line, GrossDebit),
                GrossCredit = Amount(F(gcred), line, GrossCredit),
                NetCurrency = F(ncur).ToUpperInvariant(),
                NetDebit = Amount(F(ndeb), line, NetDebit),
                NetCredit = Amount(F(ncred), line, NetCredit),
                FeeColumns = feeSum,
                BatchNumber = F(batch),
            };
        }
    }

    /// <summary>
    /// Reads the report of batch <paramref name="batchNumber"/> of <paramref name="merchantAccount"/> into a
    /// <see cref="Payout"/> (provider adyen, id "merchant:batch"). Lines are kept (the payout is booked from
    /// them); the rows themselves are streamed.
    /// </summary>
    public static async Task<Payout> ToPayoutAsync(TextReader reader, string merchantAccount, long batchNumber, CancellationToken cancellationToken = default)
    {
        var batchText = batchNumber.ToString(CultureInfo.InvariantCulture);
        var lines = new List<PayoutLine>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        decimal total = 0m;
        string? payoutCurrency = null;
        string? firstCurrency = null;
        DateTime? payoutDate = null;
        DateTime latest = DateTime.MinValue;
        var payoutRows = 0;
        await foreach (var row in ReadRowsAsync(reader, cancellationToken))
        {
            if (!string.Equals(row.BatchNumber, batchText, StringComparison.Ordinal))
                throw Invalid($"line {row.Line} belongs to batch '{row.BatchNumber}', not batch {batchText} (one report is one batch).");
            if (!string.Equals(row.MerchantAccount, merchantAccount, StringComparison.Ordinal))
                throw Invalid($"line {row.Line} belongs to merchant account '{row.MerchantAccount}', not '{merchantAccount}'.");
            firstCurrency ??= row.NetCurrency;
            if (row.CreationDate > latest)
                latest = row.CreationDate;
            var kind = KindOf(row.Type);
            if (kind is null)
            {
                // MerchantPayout: the money paid to the bank from this batch (a debit of the balance).
                payoutRows++;
                total += -row.Net;
                payoutCurrency ??= row.NetCurrency;
                payoutDate = payoutDate is { } d && d > row.CreationDate ? d : row.CreationDate;
                continue;
            }

            lines.Add(ToLine(row, kind.Value, ids));
        }

        if (lines.Count == 0 && payoutRows == 0)
            throw Invalid("the report has a header but no rows.");
        var date = payoutDate ?? latest;
        return new Payout
        {
            Provider = PayoutProviders.Adyen,
            PayoutId = PayoutId(merchantAccount, batchNumber),
            Currency = payoutCurrency ?? firstCurrency ?? "",
            Total = total,
            Date = DateOnly.FromDateTime(date),

            // Set below: the report's times are local to the account's time zone, given only as an abbreviation
            // (docs: CET, BST, ...), never as an offset; the creation time is known to lie between that wall-clock
            // time read at UTC+14:00 (earliest) and at UTC−12:00 (latest). The cut-over check uses both ends.
            CreatedAt = default,
            Lines = lines,
        }.WithZonelessCreation(date, CreationTimePrecision.LocalTimeNoZone);
    }

    public static string PayoutId(string merchantAccount, long batchNumber) => merchantAccount + ":" + batchNumber.ToString(CultureInfo.InvariantCulture);

    /// <summary>The kind of a record type; null for MerchantPayout (the payout itself). Unknown types are Other (the docs add journal types over time).</summary>
    public static PayoutLineKind? KindOf(string type) => type.ToUpperInvariant() switch
    {
        "MERCHANTPAYOUT" => null,
        "SETTLED" => PayoutLineKind.Sale,
        "REFUNDED" => PayoutLineKind.Refund,
        "CHARGEBACK" or "SECONDCHARGEBACK" => PayoutLineKind.Chargeback,
        "FEE" or "MISCCOSTS" or "PAYMENTCOST" or "AUTHORISATIONSCHEMEFEE" => PayoutLineKind.Fee,
        _ => PayoutLineKind.Other, // ChargebackReversed, RefundedReversed, InvoiceDeduction, Balancetransfer, DepositCorrection, ...: reported, not booked
    };

    private static PayoutLine ToLine(AdyenSettlementRow row, PayoutLineKind kind, HashSet<string> ids)
    {
        var transactionRow = kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback;

        // Transaction rows: the modification's pspReference (capture, refund, chargeback); batch-level rows
        // carry free text there, so they are named by type and line (stable for one report).
        var id = transactionRow ? row.ModificationReference ?? row.PspReference ?? $"{row.Type}:{row.Line}" : $"{row.Type}:{row.Line}";
        if (!ids.Add(id))
        {
            id = $"{id}:{row.Line}";
            ids.Add(id);
        }

        var net = row.Net;
        decimal gross;
        decimal fee;
        string currency;
        if (kind == PayoutLineKind.Fee)
        {
            // A cost not tied to one sale: all of it is fee.
            gross = 0m;
            fee = -net;
            currency = row.NetCurrency;
        }
        else if (!transactionRow)
        {
            gross = net;
            fee = 0m;
            currency = row.NetCurrency;
        }
        else if (string.Equals(row.GrossCurrency, row.NetCurrency, StringComparison.Ordinal))
        {
            // Docs: gross − net = commission + markup + scheme fees + interchange (chargeback fee in Commission).
            gross = row.Gross;
            fee = gross - net;
            currency = row.NetCurrency;
        }
        else
        {
            // Settled in another currency than sold: amounts stay in the settlement currency, the line keeps
            // the sale's currency so the flow refuses it (PAYOUT_CURRENCY_MISMATCH) instead of guessing a rate.
            fee = row.FeeColumns;
            gross = net + fee;
            currency = row.GrossCurrency;
        }

        return new PayoutLine
        {
            TransactionId = id,
            Kind = kind,
            Reference = transactionRow ? row.MerchantReference : row.ModificationReference,
            Gross = gross,
            Fee = fee,
            Currency = currency,
            Description = $"Adyen {row.Type}" + (row.PspReference is { } p ? $" {p}" : "") + (row.ModificationMerchantReference is { } m ? $" ({m})" : ""),
        };
    }

    private static async Task<bool> ReadAsync(CsvReader csv, int line)
    {
        try
        {
            return await csv.ReadAsync();
        }
        catch (CsvHelperException ex)
        {
            var row = csv.Parser?.Row ?? line;
            throw Invalid($"line {row} is not well-formed CSV ({ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()}).");
        }
    }

    private static decimal Amount(string text, int line, string column)
    {
        if (text.Length == 0)
            return 0m;
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v))
            return v;
        throw Invalid($"line {line}: '{column}' is not an amount ('{(text.Length > 40 ? text[..40] : text)}').");
    }

    private static DateTime Date(string text, int line)
    {
        if (DateTime.TryParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        throw Invalid($"line {line}: '{CreationDate}' is not a date 'YYYY-MM-DD HH:MM:SS' ('{(text.Length > 40 ? text[..40] : text)}').");
    }

    private static JunipeerException Invalid(string what) => new(ErrorCodes.PayoutReportInvalid, "Adyen settlement details report: " + what);
}
