using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Junipeer.Sandbox.Adyen;

/// <summary>A sale in a seeded batch: gross captured and the fee Adyen keeps (net = gross − fee).</summary>
public sealed record AdyenSaleSpec(string Reference, decimal Gross, decimal Fee);

/// <summary>A refund in a seeded batch (debit, no fee).</summary>
public sealed record AdyenRefundSpec(string Reference, decimal Amount);

/// <summary>What a settlement batch should hold; the emulator writes its settlement details report.</summary>
public sealed record AdyenBatchSpec
{
    public required string MerchantAccount { get; init; }
    public string Currency { get; init; } = "SEK";
    public IReadOnlyList<AdyenSaleSpec> Sales { get; init; } = [];
    public IReadOnlyList<AdyenRefundSpec> Refunds { get; init; } = [];

    /// <summary>Batch-level processing fees (Type Fee rows).</summary>
    public IReadOnlyList<decimal> Fees { get; init; } = [];

    /// <summary>Write the columns in a shuffled order (report versions differ in order).</summary>
    public bool ShuffleColumns { get; init; }

    /// <summary>Leave these columns out (to provoke a missing-column error).</summary>
    public IReadOnlyList<string> OmitColumns { get; init; } = [];

    /// <summary>
    /// The batch number (default: the account's next). Adyen numbers batches upward per merchant account;
    /// a number below the account's next is refused, a higher one skips the numbers between (an account whose
    /// history started before the Sandbox did).
    /// </summary>
    public long? BatchNumber { get; init; }
}

/// <summary>A batch as seeded: its file and the ground truth.</summary>
public sealed record AdyenBatch(string MerchantAccount, long BatchNumber, string FileName, string Currency, decimal Total, int Rows, string Csv);

/// <summary>One download attempt the emulator saw.</summary>
public sealed record AdyenDownload(string MerchantAccount, string FileName, int Status, DateTimeOffset At);

/// <summary>
/// In-memory Adyen: the report user, the HMAC key notifications are signed with, settlement batches
/// (per merchant account, numbered from 1) with their generated reports, the downloads seen, fault knobs.
/// </summary>
public sealed class AdyenState
{
    /// <summary>The classic column order (contracts/adyen/settlement-detail-report.columns.json).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "Company Account", "Merchant Account", "Psp Reference", "Merchant Reference", "Payment Method", "Creation Date", "TimeZone", "Type",
        "Modification Reference", "Gross Currency", "Gross Debit (GC)", "Gross Credit (GC)", "Exchange Rate", "Net Currency", "Net Debit (NC)",
        "Net Credit (NC)", "Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)", "Payment Method Variant",
        "Modification Merchant Reference", "Batch Number", "Reserved4", "Reserved5", "Reserved6", "Reserved7", "Reserved8", "Reserved9", "Reserved10",
    ];

    private readonly SandboxState _root;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Merchant, long Batch), AdyenBatch> _batches = [];
    private readonly Dictionary<string, long> _next = new(StringComparer.Ordinal);
    private readonly List<AdyenDownload> _downloads = [];
    private Random _random = new(1);

    internal AdyenState(SandboxState root)
    {
        _root = root;
        Reset();
    }

    public const string DefaultReportUser = "report@Company.JunipeerSandbox";
    public const string DefaultReportPassword = "sandbox-report-password";

    /// <summary>Default HMAC key (hex) the emulator signs notifications with.</summary>
    public const string DefaultHmacKey = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";

    public string ReportUser { get; set; } = DefaultReportUser;

    public string ReportPassword { get; set; } = DefaultReportPassword;

    public string HmacKey { get; set; } = DefaultHmacKey;

    /// <summary>Next downloads answered 500.</summary>
    public int Fail5xx { get; set; }

    /// <summary>
    /// Fault knob: merchant accounts the report user may not read; their downloads are answered 403 (valid
    /// credentials, no access). Adyen's docs do not say what the download answers for such an account (403, 401 or
    /// 404); the knob provokes a per-account refusal, it does not claim Adyen's exact answer.
    /// </summary>
    public HashSet<string> RefusedMerchantAccounts { get; } = new(StringComparer.Ordinal);

    internal bool Refuses(string merchant)
    {
        lock (_gate)
        {
            return RefusedMerchantAccounts.Contains(merchant);
        }
    }

    public IReadOnlyList<AdyenDownload> Downloads
    {
        get { lock (_gate) { return [.. _downloads]; } }
    }

    public IReadOnlyList<AdyenBatch> Batches
    {
        get { lock (_gate) { return [.. _batches.Values]; } }
    }

    public AdyenBatch? Find(string merchant, long batch)
    {
        lock (_gate)
        {
            return _batches.GetValueOrDefault((merchant, batch));
        }
    }

    internal void Record(AdyenDownload download)
    {
        lock (_gate)
        {
            _downloads.Add(download);
        }
    }

    internal bool TakeFault()
    {
        lock (_gate)
        {
            if (Fail5xx <= 0)
                return false;
            Fail5xx--;
            return true;
        }
    }

    /// <summary>Closes a batch: Settled, Refunded and Fee rows, then the MerchantPayout row that pays the rest out.</summary>
    public AdyenBatch SeedBatch(AdyenBatchSpec spec)
    {
        lock (_gate)
        {
            var next = _next.GetValueOrDefault(spec.MerchantAccount, 1);
            var batch = spec.BatchNumber ?? next;
            if (batch < next)
                throw new ArgumentException($"Batch {batch} of {spec.MerchantAccount} is below the account's next batch {next} (batch numbers only go up).");
            _next[spec.MerchantAccount] = batch + 1;
            var now = _root.Clock.GetUtcNow().UtcDateTime;
            var columns = Columns.Where(c => !spec.OmitColumns.Contains(c, StringComparer.Ordinal)).ToList();
            if (spec.ShuffleColumns)
                columns = [.. columns.OrderBy(_ => _random.Next())];
            var rows = new List<Dictionary<string, string>>();
            var total = 0m;
            var at = now;
            Dictionary<string, string> Row(string type, string? psp, string? reference, string? modification, decimal gd, decimal gc, decimal nd, decimal nc)
            {
                at = at.AddSeconds(7);
                return new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["Company Account"] = "JunipeerSandboxCompany",
                    ["Merchant Account"] = spec.MerchantAccount,
                    ["Psp Reference"] = psp ?? "",
                    ["Merchant Reference"] = reference ?? "",
                    ["Payment Method"] = psp is null ? "" : "visa",
                    ["Creation Date"] = at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    ["TimeZone"] = "UTC",
                    ["Type"] = type,
                    ["Modification Reference"] = modification ?? "",
                    ["Gross Currency"] = spec.Currency,
                    ["Gross Debit (GC)"] = Money(gd),
                    ["Gross Credit (GC)"] = Money(gc),
                    ["Exchange Rate"] = "1",
                    ["Net Currency"] = spec.Currency,
                    ["Net Debit (NC)"] = Money(nd),
                    ["Net Credit (NC)"] = Money(nc),
                    ["Payment Method Variant"] = psp is null ? "" : "visacredit",
                    ["Batch Number"] = batch.ToString(CultureInfo.InvariantCulture),
                };
            }

            foreach (var s in spec.Sales)
            {
                var r = Row("Settled", PspRef(), s.Reference, PspRef(), 0m, s.Gross, 0m, s.Gross - s.Fee);
                var interchange = Math.Round(s.Fee * 0.5m, 2);
                var scheme = Math.Round(s.Fee * 0.2m, 2);
                r["Interchange (NC)"] = Money(interchange);
                r["Scheme Fees (NC)"] = Money(scheme);
                r["Commission (NC)"] = Money(s.Fee - interchange - scheme);
                rows.Add(r);
                total += s.Gross - s.Fee;
            }

            foreach (var f in spec.Refunds)
            {
                rows.Add(Row("Refunded", PspRef(), f.Reference, PspRef(), f.Amount, 0m, f.Amount, 0m));
                total -= f.Amount;
            }

            foreach (var fee in spec.Fees)
            {
                rows.Add(Row("Fee", null, null, "Transaction Fees " + now.ToString("MMMM yyyy", CultureInfo.InvariantCulture), fee, 0m, fee, 0m));
                total -= fee;
            }

            rows.Add(Row("MerchantPayout", null, null, $"Payout of batch {batch}", total, 0m, total, 0m));
            var csv = new StringBuilder();
            csv.AppendJoin(',', columns.Select(Quote)).Append('\n');
            foreach (var r in rows)
                csv.AppendJoin(',', columns.Select(c => Quote(r.GetValueOrDefault(c, "")))).Append('\n');
            var result = new AdyenBatch(spec.MerchantAccount, batch, FileName(batch), spec.Currency, total, rows.Count, csv.ToString());
            _batches[(spec.MerchantAccount, batch)] = result;
            return result;
        }
    }

    /// <summary>The documented report name.</summary>
    public static string FileName(long batch) => $"settlement_detail_report_batch_{batch.ToString(CultureInfo.InvariantCulture)}.csv";

    /// <summary>The standard notification for a batch's report, signed with <paramref name="hmacKey"/> (default <see cref="HmacKey"/>).</summary>
    public string ReportAvailableJson(string merchantAccount, long batch, string reportUrl, string? hmacKey = null)
    {
        var file = FileName(batch);
        var eventDate = _root.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

        // Signing string: pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success.
        var signing = $"{file}::{merchantAccount}::0:EUR:REPORT_AVAILABLE:true";
        var key = Convert.FromHexString(hmacKey ?? HmacKey);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signing)));
        var body = new
        {
            live = "false",
            notificationItems = new[]
            {
                new
                {
                    NotificationRequestItem = new
                    {
                        additionalData = new { hmacSignature = signature },
                        amount = new { currency = "EUR", value = 0 },
                        eventCode = "REPORT_AVAILABLE",
                        eventDate,
                        merchantAccountCode = merchantAccount,
                        merchantReference = "",
                        originalReference = "",
                        pspReference = file,
                        reason = reportUrl,
                        success = "true",
                    },
                },
            },
        };
        return JsonSerializer.Serialize(body);
    }

    /// <summary>POSTs the REPORT_AVAILABLE notification of a batch to <paramref name="target"/> (as Adyen would, JSON); returns status and body.</summary>
    public async Task<(int Status, string Body)> NotifyAsync(HttpClient http, Uri target, string merchantAccount, long batch, string reportUrl, string? hmacKey, CancellationToken ct)
    {
        using var content = new StringContent(ReportAvailableJson(merchantAccount, batch, reportUrl, hmacKey), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(target, content, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    public void Reset()
    {
        lock (_gate)
        {
            _batches.Clear();
            _next.Clear();
            _downloads.Clear();
            _random = new Random(_root.Options.Seed);
            ReportUser = DefaultReportUser;
            ReportPassword = DefaultReportPassword;
            HmacKey = DefaultHmacKey;
            Fail5xx = 0;
            RefusedMerchantAccounts.Clear();
        }
    }

    private string PspRef()
    {
        const string digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        return string.Create(16, _random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = digits[r.Next(digits.Length)];
        });
    }

    private static string Money(decimal v) => v == 0m ? "" : v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Quote(string v) =>
        v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
}
