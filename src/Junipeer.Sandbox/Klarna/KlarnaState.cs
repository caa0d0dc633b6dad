using System.Globalization;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Klarna;

/// <summary>One seeded Klarna transaction (minor units; the emulator writes magnitudes unless the payout seed says signed).</summary>
public sealed record KlarnaTransactionSeed
{
    /// <summary>SALE, RETURN, REVERSAL, FEE, TAX, COMMISSION, CORRECTION, CHARGE, CREDIT, HOLDBACK, RELEASE, FEE_REFUND, …</summary>
    public string Type { get; init; } = "SALE";

    public string? DetailedType { get; init; }

    /// <summary>Amount in minor units (its sign is ignored for types with a documented sign).</summary>
    public long Amount { get; init; }

    /// <summary>merchant_reference1 (the shop's order reference); a FEE/TAX with a reference takes the capture of that order's SALE.</summary>
    public string? Reference { get; init; }

    public string? CaptureId { get; init; }

    public string? RefundId { get; init; }

    /// <summary>VAT on the fee (vat_amount), informational.</summary>
    public long? VatAmount { get; init; }
}

/// <summary>A payout to seed (control plane <c>POST /_sandbox/klarna/payouts</c>).</summary>
public sealed record KlarnaPayoutSeed
{
    public string? PaymentReference { get; init; }

    public string CurrencyCode { get; init; } = "SEK";

    public DateTimeOffset? PayoutDate { get; init; }

    public string MerchantSettlementType { get; init; } = "NET";

    public List<KlarnaTransactionSeed> Transactions { get; init; } = [];

    /// <summary>Totals with no transaction type (docs: "N/A"): fee correction (+), repay (−), tax beyond TAX transactions (−).</summary>
    public long FeeCorrectionAmount { get; init; }

    public long RepayAmount { get; init; }

    public long TaxAmount { get; init; }

    /// <summary>Override of settlement_amount (to provoke a total mismatch); default: Klarna's formula over the totals.</summary>
    public long? SettlementAmount { get; init; }

    /// <summary>Write money-out amounts negative (Klarna's docs do not say which form it sends; the connector reads both).</summary>
    public bool SignedAmounts { get; init; }
}

/// <summary>
/// In-memory Klarna Settlements: payouts with their transactions and totals (computed with the documented
/// settlement formula), the API credentials, fault knobs.
/// </summary>
public sealed class KlarnaState(SandboxState owner)
{
    public const string DefaultUsername = "K123456_sandbox";
    public const string DefaultPassword = "klarna-sandbox-shared-secret";
    public const string DefaultMerchantId = "K123456";

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _payouts = [];
    private readonly Dictionary<string, List<JsonObject>> _transactions = new(StringComparer.Ordinal);
    private int _next;

    public string Username { get; set; } = DefaultUsername;

    public string Password { get; set; } = DefaultPassword;

    /// <summary>Next N API calls answer 500.</summary>
    public int Fail5xx { get; set; }

    /// <summary>Next N API calls answer 429.</summary>
    public int RateLimited { get; set; }

    /// <summary>Next N API calls are answered by the handler and then the connection is aborted (the response is lost).</summary>
    public int DropResponses { get; set; }

    /// <summary>Next N list pages report a total one higher than the list holds, as if an item was added while it was paged.</summary>
    public int GrowTotals { get; set; }

    public SandboxState Owner => owner;

    /// <summary>Klarna's settlement formula (docs.klarna.com/settlement-reports, "Calculation of settlement amount").</summary>
    public static long Settlement(JsonObject t)
    {
        long V(string n) => (long?)t[n] ?? 0;
        return V("sale_amount") - V("return_amount") - V("reversal_amount") + V("reversal_merchant_protection_amount") - V("fee_amount") + V("fee_correction_amount")
               + V("commission_amount") - V("tax_amount") - V("charge_amount") + V("credit_amount") - V("repay_amount") - V("holdback_amount")
               + V("release_amount") + V("fee_refund_amount");
    }

    // Klarna's settlement table: commissions are paid to the merchant (+), a commission reversal (a COMMISSION whose
    // detailed type is a commission return; which detailed types count is not spelled out by Klarna) is taken back (−).
    private static bool CommissionReturn(KlarnaTransactionSeed t) => t.Type == "COMMISSION" && t.DetailedType?.StartsWith("COMMISSION_RETURN", StringComparison.Ordinal) == true;

    private static int Sign(KlarnaTransactionSeed t) => CommissionReturn(t) ? -1 : Sign(t.Type);

    private static int Sign(string type) => type switch
    {
        "SALE" or "REVERSAL_MERCHANT_PROTECTION" or "CREDIT" or "RELEASE" or "FEE_REFUND" or "COMMISSION" => 1,
        "RETURN" or "REVERSAL" or "FEE" or "TAX" or "CHARGE" or "HOLDBACK" => -1,
        _ => 0,
    };

    public JsonObject AddPayout(KlarnaPayoutSeed seed)
    {
        lock (_gate)
        {
            var n = ++_next;
            var reference = seed.PaymentReference ?? "KSBX" + n.ToString("D4", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
            var date = seed.PayoutDate ?? owner.Clock.GetUtcNow();
            var orders = new Dictionary<string, (string OrderId, string CaptureId)>(StringComparer.Ordinal);
            var txs = new List<JsonObject>();
            long Sum(string type) => seed.Transactions.Where(t => t.Type == type && !CommissionReturn(t)).Sum(t => Sign(type) == 0 ? t.Amount : Math.Abs(t.Amount));
            foreach (var t in seed.Transactions)
            {
                string orderId;
                string? capture = t.CaptureId;
                if (t.Reference is not null && orders.TryGetValue(t.Reference, out var known))
                {
                    orderId = known.OrderId;
                    if (t.Type is "FEE" or "TAX" or "SALE")
                        capture ??= known.CaptureId;
                }
                else
                {
                    orderId = Guid.NewGuid().ToString();
                    if (t.Type == "SALE")
                        capture ??= Guid.NewGuid().ToString();
                    if (t.Reference is not null)
                        orders[t.Reference] = (orderId, capture ?? Guid.NewGuid().ToString());
                }

                var magnitude = Math.Abs(t.Amount);
                var amount = Sign(t) switch
                {
                    0 => t.Amount,
                    -1 when seed.SignedAmounts => -magnitude,
                    _ => magnitude,
                };
                var tx = new JsonObject
                {
                    ["amount"] = amount,
                    ["capture_id"] = t.Type is "SALE" or "FEE" or "TAX" ? capture ?? "" : "",
                    ["merchant_reference1"] = t.Reference ?? "",
                    ["merchant_reference2"] = "",
                    ["sale_date"] = date.AddDays(-3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    ["capture_date"] = date.AddDays(-2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    ["type"] = t.Type,
                    ["detailed_type"] = t.DetailedType ?? t.Type switch { "SALE" => "PURCHASE", "RETURN" => "PURCHASE_RETURN", "FEE" => "PURCHASE_FEE_PERCENTAGE", _ => t.Type },
                    ["payment_reference"] = reference,
                    ["order_id"] = orderId,
                    ["short_order_id"] = orderId[..8],
                    ["currency_code"] = seed.CurrencyCode,
                    ["purchase_country"] = "SE",
                    ["shipping_country"] = "SE",
                    ["payout"] = "/payouts/" + reference,
                };
                if (t.Type == "RETURN")
                    tx["refund_id"] = t.RefundId ?? Guid.NewGuid().ToString();
                if (t.VatAmount is { } vat)
                {
                    tx["vat_amount"] = vat;
                    tx["vat_rate"] = 2500;
                }

                txs.Add(tx);
            }

            var totals = new JsonObject
            {
                ["commission_amount"] = Sum("COMMISSION"),
                ["repay_amount"] = seed.RepayAmount,
                ["sale_amount"] = Sum("SALE"),
                ["holdback_amount"] = Sum("HOLDBACK"),
                ["tax_amount"] = Sum("TAX") + seed.TaxAmount,
                ["fee_correction_amount"] = seed.FeeCorrectionAmount,
                ["reversal_amount"] = Sum("REVERSAL"),
                ["release_amount"] = Sum("RELEASE"),
                ["return_amount"] = Sum("RETURN"),
                ["fee_amount"] = Sum("FEE"),
                ["charge_amount"] = Sum("CHARGE"),
                ["credit_amount"] = Sum("CREDIT"),
                ["fee_refund_amount"] = Sum("FEE_REFUND"),
                ["tax_refund_amount"] = 0,
                ["deposit_amount"] = 0,
                ["opening_debt_balance_amount"] = 0,
                ["closing_debt_balance_amount"] = 0,
            };
            // REVERSAL_MERCHANT_PROTECTION and CORRECTION have no total field of their own; the formula counts them here.
            totals["reversal_merchant_protection_amount"] = Sum("REVERSAL_MERCHANT_PROTECTION");
            // Commission reversals likewise (the table's total_commission_reversal_amount is not a field of the API's Totals).
            var settlement = Settlement(totals) + seed.Transactions.Where(t => t.Type == "CORRECTION").Sum(t => t.Amount)
                             - seed.Transactions.Where(CommissionReturn).Sum(t => Math.Abs(t.Amount));
            totals.Remove("reversal_merchant_protection_amount");
            totals["settlement_amount"] = seed.SettlementAmount ?? settlement;
            var payout = new JsonObject
            {
                ["totals"] = totals,
                ["payment_reference"] = reference,
                ["payout_date"] = date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["currency_code"] = seed.CurrencyCode,
                ["currency_code_of_registration_country"] = "SEK",
                ["merchant_settlement_type"] = seed.MerchantSettlementType,
                ["merchant_id"] = DefaultMerchantId,
                ["transactions"] = "/transactions?payment_reference=" + reference,
            };
            _payouts.Add(payout);
            _transactions[reference] = txs;
            return (JsonObject)payout.DeepClone();
        }
    }

    public JsonObject? Payout(string reference)
    {
        lock (_gate)
            return _payouts.FirstOrDefault(p => (string?)p["payment_reference"] == reference)?.DeepClone() as JsonObject;
    }

    /// <summary>Newest payout_date first (Klarna's order is not documented; tests must not depend on it).</summary>
    public List<JsonObject> Payouts()
    {
        lock (_gate)
            return [.. _payouts.OrderByDescending(p => (string)p["payout_date"]!, StringComparer.Ordinal).Select(p => (JsonObject)p.DeepClone())];
    }

    public List<JsonObject> Transactions(string? reference, string? orderId)
    {
        lock (_gate)
        {
            IEnumerable<JsonObject> all = reference is not null
                ? _transactions.GetValueOrDefault(reference) ?? []
                : _transactions.Values.SelectMany(v => v);
            if (orderId is not null)
                all = all.Where(t => (string?)t["order_id"] == orderId);
            return [.. all.Select(t => (JsonObject)t.DeepClone())];
        }
    }

    /// <summary>Takes one unit of a fault counter.</summary>
    internal bool Take(Func<KlarnaState, int> get, Action<KlarnaState, int> set)
    {
        lock (_gate)
        {
            if (get(this) <= 0)
                return false;
            set(this, get(this) - 1);
            return true;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _payouts.Clear();
            _transactions.Clear();
            Fail5xx = 0;
            RateLimited = 0;
            DropResponses = 0;
            GrowTotals = 0;
            Username = DefaultUsername;
            Password = DefaultPassword;
        }
    }
}
