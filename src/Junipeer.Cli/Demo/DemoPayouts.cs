using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Junipeer.Core;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Klarna;
using Junipeer.Sandbox.Stripe;

namespace Junipeer.Cli.Demo;

/// <param name="Booked">Seeded payouts (one Stripe payout, one Adyen batch, one Klarna payout) with at least one customer payment in Visma.</param>
/// <param name="Duplicates">Extra Visma payments for the same payout (PSP payment method) and customer.</param>
/// <param name="TransactionsMatched">Seeded PSP sales whose invoice carries a payment line of that PSP's payment in Visma.</param>
/// <param name="TransactionsUnmatched">Seeded PSP sales without one (the demo seeds one sale for an order that does not exist).</param>
/// <param name="FeesWrittenOff">Payment lines in Visma with a balance write-off (the PSP fee of a sale).</param>
/// <param name="CreditNotes">Customer credit notes in Visma.</param>
/// <param name="CreditNoteDuplicates">Extra credit notes for one seeded refund (applied to the same invoice).</param>
/// <param name="BalanceMismatches">Demo invoices whose open balance in Visma differs from grand total − gift certificate − what the PSPs paid for the order − what was refunded in Centra.</param>
/// <param name="ShopRefundCreditNotes">Credit notes in Visma applied to the invoice of the order refunded in Centra (expected: 1).</param>
public sealed record DemoPayoutCounts(int Booked, int Duplicates, int TransactionsMatched, int TransactionsUnmatched, int FeesWrittenOff,
    int CreditNotes, int CreditNoteDuplicates, int BalanceMismatches, int ShopRefundCreditNotes = 0);

/// <summary>
/// The demo's payouts: once the orders are invoiced, one Stripe payout (two sales with fees, a refund
/// of one of them, one sale for an order that does not exist) and one Adyen settlement batch (two sales
/// with fees, a batch fee) and one Klarna payout (two sales with fees tied to their captures, a monthly fee)
/// are seeded in the PSP emulators through the Sandbox control plane against demo invoices (SEK, no gift
/// certificate), and a seventh invoice's order is refunded in Centra (paymentHistory REFUND, outside any payout:
/// the refunds flow books it as a credit note). The Sandbox sends Stripe's signed <c>payout.paid</c> and Adyen's
/// HMAC-signed <c>REPORT_AVAILABLE</c> to the host's webhooks, each twice; Klarna has no payout notification, so the
/// PayoutSweep timer finds its payout (every run until it is booked). The payouts flow books them in
/// Visma. The counts are taken from the emulators' records.
/// </summary>
public static class DemoPayouts
{
    public const string AdyenMerchant = "NordicThreadsSE";
    public const string PspReferencePrefix = "NT-";

    /// <summary>A sale for an order that was never placed: reported, never booked.</summary>
    public const int UnknownOrderNumber = 999_999;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static string StripeKeySecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "StripeApiKey";

    public static string StripeWebhookSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "StripeWebhookSecret";

    public static string AdyenReportSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "AdyenReportUser";

    public static string AdyenHmacSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "AdyenHmacKey";

    public static string KlarnaCredentialsSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "KlarnaApiCredentials";

    /// <summary>The PSP credentials the emulators accept, as the host's secrets.</summary>
    public static void AddSecrets(IDictionary<string, string?> settings, SandboxHost sandbox)
    {
        var id = DemoScenario.IntegrationId;
        settings[$"Secrets:{StripeKeySecretNameFor(id)}"] = sandbox.Options.StripeSecretKey;
        settings[$"Secrets:{StripeWebhookSecretNameFor(id)}"] = sandbox.Options.StripeWebhookSecret;
        settings[$"Secrets:{AdyenReportSecretNameFor(id)}"] = $"{sandbox.State.Adyen.ReportUser}:{sandbox.State.Adyen.ReportPassword}";
        settings[$"Secrets:{AdyenHmacSecretNameFor(id)}"] = sandbox.State.Adyen.HmacKey;
        settings[$"Secrets:{KlarnaCredentialsSecretNameFor(id)}"] = $"{sandbox.State.Klarna.Username}:{sandbox.State.Klarna.Password}";
    }

    /// <summary>Payouts on: Stripe, Adyen and Klarna against the Sandbox, fees written off with the company's PSP fee reason code.</summary>
    public static Integration WithPayouts(Integration i, SandboxHost sandbox, bool shopRefunds = true) => i with
    {
        Payouts = new PayoutFlowSettings
        {
            Enabled = true,
            ShopRefunds = shopRefunds, // a refund made in Centra becomes a credit note too (queue refunds)
            FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
            Providers = new Dictionary<string, PspPayoutSettings>
            {
                [PayoutProviders.Stripe] = new()
                {
                    PaymentMethodId = "STRIPE",
                    CashAccount = DemoScenario.PspClearingAccount,
                    ReferencePrefix = PspReferencePrefix,
                    ApiBaseUrl = sandbox.StripeApiBase.ToString(),
                    ApiKeySecretName = StripeKeySecretNameFor(i.Id),
                    WebhookSecretName = StripeWebhookSecretNameFor(i.Id),
                },
                [PayoutProviders.Adyen] = new()
                {
                    PaymentMethodId = "ADYEN",
                    CashAccount = DemoScenario.PspClearingAccount,
                    ReferencePrefix = PspReferencePrefix,
                    ApiBaseUrl = sandbox.AdyenReportBase.ToString(),
                    ApiKeySecretName = AdyenReportSecretNameFor(i.Id),
                    WebhookSecretName = AdyenHmacSecretNameFor(i.Id),
                    // The timer fallback: a REPORT_AVAILABLE that never comes is found by probing the batch numbers
                    // (the Sandbox numbers the demo merchant's batches from 1).
                    MerchantAccounts = new Dictionary<string, BatchAccountSettings> { [AdyenMerchant] = new() { FirstBatch = 1 } },
                },
                [PayoutProviders.Klarna] = new()
                {
                    PaymentMethodId = "KLARNA",
                    CashAccount = DemoScenario.PspClearingAccount,
                    ReferencePrefix = PspReferencePrefix,
                    ApiBaseUrl = sandbox.KlarnaApiBase.ToString(),
                    ApiKeySecretName = KlarnaCredentialsSecretNameFor(i.Id),
                },
            },
        },
    };

    /// <summary>One seeded sale: the PSP's payment method in Visma, the order number, gross and fee.</summary>
    public sealed record Sale(string PaymentMethodId, int OrderNumber, decimal Gross, decimal Fee);

    /// <summary>
    /// What was seeded in the PSP emulators. <see cref="Refunds"/> holds every refund expected as a credit note (the
    /// payout's and the one made in Centra); <see cref="ShopRefunds"/> those made in Centra (no PSP payout pays them).
    /// </summary>
    public sealed record Plan(string StripePayoutId, long AdyenBatch, IReadOnlyList<Sale> Sales, IReadOnlyList<(int OrderNumber, decimal Amount)> Refunds,
        IReadOnlyList<(int OrderNumber, decimal Amount)>? ShopRefunds = null)
    {
        /// <summary>The Klarna payout's payment reference (found by the PayoutSweep timer).</summary>
        public string? KlarnaPaymentReference { get; init; }
    }

    /// <summary>
    /// Seeds the payouts against demo invoices and has the Sandbox send each webhook twice; with
    /// <paramref name="dropAdyenNotification"/> Adyen's REPORT_AVAILABLE is never sent and the PayoutSweep timer
    /// finds the batch by its number.
    /// </summary>
    public static async Task<Plan> SeedAndSendAsync(SandboxHost sandbox, Uri hostBase, IReadOnlyList<CentraOrderSpec> specs, Action<string> status, CancellationToken ct,
        bool dropAdyenNotification = false)
    {
        // Released SEK invoices of orders without a gift certificate, oldest first: the PSP pays their open balance.
        var numbers = specs.Select(s => s.Number!.Value).ToHashSet();
        var candidates = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId)
            .Where(i => i.CurrencyId == "SEK" && i.Balance > 0m && i.CustomerRefNumber?.StartsWith("CENTRA-", StringComparison.Ordinal) == true)
            .Select(i => (Invoice: i, Number: int.Parse(i.CustomerRefNumber!["CENTRA-".Length..], CultureInfo.InvariantCulture)))
            .Where(x => numbers.Contains(x.Number) && sandbox.State.Centra.Order(x.Number)!.GiftCertificate == 0m)
            .GroupBy(x => x.Number).Where(g => g.Count() == 1).Select(g => g.Single())
            .OrderBy(x => x.Number)
            .Take(7)
            .ToList();
        if (candidates.Count < 7)
        {
            throw new InvalidOperationException($"The demo's payouts need 7 released SEK invoices without gift certificates (6 paid by PSPs, 1 refunded in Centra); found {candidates.Count}.");
        }

        static decimal Fee(decimal gross) => Math.Round(gross * 0.018m + 1.80m, 2, MidpointRounding.AwayFromZero);
        static long Minor(decimal d) => decimal.ToInt64(d * 100m);
        var sales = new List<Sale>();
        var (s1, s2, a1, a2) = (candidates[0], candidates[1], candidates[2], candidates[3]);
        var refund = Math.Round(s2.Invoice.Balance / 4m, 2, MidpointRounding.AwayFromZero);

        // Stripe: two sales with fees, a refund of part of the second, a sale of an order that does not exist.
        var stripeSeed = new StripePayoutSeed
        {
            Currency = "sek",
            ArrivalDate = sandbox.State.Clock.GetUtcNow(),
            Transactions =
            [
                new() { Type = "charge", Amount = Minor(s1.Invoice.Balance), Fee = Minor(Fee(s1.Invoice.Balance)), OrderReference = PspReferencePrefix + s1.Number },
                new() { Type = "charge", Amount = Minor(s2.Invoice.Balance), Fee = Minor(Fee(s2.Invoice.Balance)), OrderReference = PspReferencePrefix + s2.Number },
                new() { Type = "refund", Amount = -Minor(refund), OrderReference = PspReferencePrefix + s2.Number },
                new() { Type = "charge", Amount = 19900, Fee = 500, OrderReference = PspReferencePrefix + UnknownOrderNumber },
            ],
        };
        sales.Add(new("STRIPE", s1.Number, s1.Invoice.Balance, Fee(s1.Invoice.Balance)));
        sales.Add(new("STRIPE", s2.Number, s2.Invoice.Balance, Fee(s2.Invoice.Balance)));
        sales.Add(new("STRIPE", UnknownOrderNumber, 199m, 5m));
        using var stripeResponse = await Http.PostAsJsonAsync(new Uri(sandbox.ControlBase, "stripe/payouts"), stripeSeed, ct);
        stripeResponse.EnsureSuccessStatusCode();
        using var stripeDoc = JsonDocument.Parse(await stripeResponse.Content.ReadAsStringAsync(ct));
        var payoutId = stripeDoc.RootElement.GetProperty("id").GetString()!;

        // Adyen: a closed batch with two sales with fees and a batch fee.
        var adyenSeed = new
        {
            merchantAccount = AdyenMerchant,
            currency = "SEK",
            sales = new[] { a1, a2 }.Select(a => new { reference = PspReferencePrefix + a.Number, gross = a.Invoice.Balance, fee = Fee(a.Invoice.Balance) }).ToArray(),
            fees = new[] { 4.00m },
            shuffleColumns = true,
        };
        sales.Add(new("ADYEN", a1.Number, a1.Invoice.Balance, Fee(a1.Invoice.Balance)));
        sales.Add(new("ADYEN", a2.Number, a2.Invoice.Balance, Fee(a2.Invoice.Balance)));
        using var adyenResponse = await Http.PostAsJsonAsync(new Uri(sandbox.ControlBase, "adyen/batches"), adyenSeed, ct);
        adyenResponse.EnsureSuccessStatusCode();
        using var adyenDoc = JsonDocument.Parse(await adyenResponse.Content.ReadAsStringAsync(ct));
        var batch = adyenDoc.RootElement.GetProperty("batchNumber").GetInt64();

        // Klarna: a payout with two sales, each with a fee tied to its capture, and a monthly fee; no
        // notification exists, so the PayoutSweep timer lists it by payout date (and keeps enqueuing it until booked).
        var (k1, k2) = (candidates[4], candidates[5]);
        var klarnaSeed = new KlarnaPayoutSeed
        {
            CurrencyCode = "SEK",
            PayoutDate = sandbox.State.Clock.GetUtcNow(),
            Transactions =
            [
                new() { Type = "SALE", Amount = Minor(k1.Invoice.Balance), Reference = PspReferencePrefix + k1.Number },
                new() { Type = "FEE", Amount = Minor(Fee(k1.Invoice.Balance)), Reference = PspReferencePrefix + k1.Number, DetailedType = "PURCHASE_FEE_PERCENTAGE" },
                new() { Type = "SALE", Amount = Minor(k2.Invoice.Balance), Reference = PspReferencePrefix + k2.Number },
                new() { Type = "FEE", Amount = Minor(Fee(k2.Invoice.Balance)), Reference = PspReferencePrefix + k2.Number, DetailedType = "PURCHASE_FEE_PERCENTAGE" },
                new() { Type = "FEE", Amount = 2900, DetailedType = "SERVICING_FEE" },
            ],
        };
        sales.Add(new("KLARNA", k1.Number, k1.Invoice.Balance, Fee(k1.Invoice.Balance)));
        sales.Add(new("KLARNA", k2.Number, k2.Invoice.Balance, Fee(k2.Invoice.Balance)));
        using var klarnaResponse = await Http.PostAsJsonAsync(new Uri(sandbox.ControlBase, "klarna/payouts"), klarnaSeed, ct);
        klarnaResponse.EnsureSuccessStatusCode();
        using var klarnaDoc = JsonDocument.Parse(await klarnaResponse.Content.ReadAsStringAsync(ct));
        var klarnaReference = klarnaDoc.RootElement.GetProperty("payment_reference").GetString()!;

        // The PSPs' signals, each delivered twice (a redelivery must book nothing more).
        var stripeStatus = new List<int>();
        var adyenStatus = new List<int>();
        for (var n = 0; n < 2; n++)
        {
            using var e = await Http.PostAsJsonAsync(new Uri(sandbox.ControlBase, "stripe/events"), new StripeEventRequest
            {
                PayoutId = payoutId,
                Type = "payout.paid",
                TargetUrl = new Uri(hostBase, $"api/webhooks/stripe/{DemoScenario.IntegrationId}").ToString(),
            }, ct);
            e.EnsureSuccessStatusCode();
            stripeStatus.Add((await e.Content.ReadFromJsonAsync<StripeSignedEvent>(JunipeerJson.Options, ct))?.Status ?? 0);
            if (dropAdyenNotification)
                continue;

            using var a = await Http.PostAsJsonAsync(new Uri(sandbox.ControlBase, "adyen/notifications"), new
            {
                url = new Uri(hostBase, $"api/webhooks/adyen/{DemoScenario.IntegrationId}").ToString(),
                merchantAccount = AdyenMerchant,
                batchNumber = batch,
            }, ct);
            a.EnsureSuccessStatusCode();
            using var answer = JsonDocument.Parse(await a.Content.ReadAsStringAsync(ct));
            adyenStatus.Add(answer.RootElement.GetProperty("status").GetInt32());
        }

        status($"payouts: Stripe payout {payoutId} (3 sales, 1 refund, 1 unknown order), Adyen batch {batch} (2 sales, batch fee) and Klarna payout {klarnaReference} (2 sales, monthly fee; found by the timer) seeded; " +
               $"payout.paid sent twice ({string.Join("/", stripeStatus)}), " +
               (dropAdyenNotification ? $"REPORT_AVAILABLE dropped (the timer probes for batch {batch})" : $"REPORT_AVAILABLE sent twice ({string.Join("/", adyenStatus)})"));
        // Centra: a refund made in the shop (a third of another invoice), outside any payout; the payout timer's
        // refund sweep (and, in production, the Centra order webhook) sends it to queue refunds → one credit note.
        var c5 = candidates[6];
        var shopRefund = Math.Round(c5.Invoice.Balance / 3m, 2, MidpointRounding.AwayFromZero);
        sandbox.State.Centra.AddRefund(c5.Number, $"DEMO-REFUND-{c5.Number}", shopRefund);
        status($"refunds: order {c5.Number} refunded {shopRefund.ToString("0.00", CultureInfo.InvariantCulture)} SEK in Centra (paymentHistory REFUND)");

        return new Plan(payoutId, batch, sales, [(s2.Number, refund), (c5.Number, shopRefund)], [(c5.Number, shopRefund)]) { KlarnaPaymentReference = klarnaReference };
    }

    /// <summary>
    /// Waits until every matchable sale is paid in Visma, every refund is a credit note and (given the orders) every
    /// invoice's balance says what the PSP data says — payments and credit notes are applied a step after they exist (bounded).
    /// </summary>
    public static async Task WaitBookedAsync(SandboxHost sandbox, Plan plan, Stopwatch clock, TimeSpan timeout, CancellationToken ct, IReadOnlyList<CentraOrderSpec>? specs = null)
    {
        var deadline = clock.Elapsed + timeout;
        while (clock.Elapsed < deadline)
        {
            var c = Counts(sandbox, plan, specs ?? []);
            if (c.TransactionsMatched >= plan.Sales.Count - 1 && c.CreditNotes >= plan.Refunds.Count && c.BalanceMismatches == 0)
            {
                break;
            }

            await Task.Delay(250, ct);
        }

        // Both signals came twice: give the redeliveries time to show, should they book anything more.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
    }

    /// <summary>What the PSPs paid per order number (gross of the seeded sales), plus what was refunded in Centra (credited).</summary>
    public static decimal PaidFor(Plan? plan, int orderNumber) =>
        (plan?.Sales.Where(s => s.OrderNumber == orderNumber).Sum(s => s.Gross) ?? 0m)
        + (plan?.ShopRefunds?.Where(r => r.OrderNumber == orderNumber).Sum(r => r.Amount) ?? 0m);

    /// <summary>Counts from the Visma emulator's payments, credit notes and invoices against the seeded PSP data.</summary>
    public static DemoPayoutCounts Counts(SandboxHost sandbox, Plan plan, IReadOnlyList<CentraOrderSpec> specs)
    {
        var tenant = DemoScenario.CompanyTenantId;
        var invoices = sandbox.State.Visma.Invoices(tenant);
        var invoiceRef = invoices.Where(i => i.CustomerRefNumber is not null).GroupBy(i => i.CustomerRefNumber!).ToDictionary(g => g.Key, g => g.Select(i => i.ReferenceNumber).ToHashSet());
        var methods = plan.Sales.Select(s => s.PaymentMethodId).ToHashSet();
        var payments = sandbox.State.Visma.Payments(tenant).Where(p => methods.Contains(p.PaymentMethodId)).ToList();
        var notes = sandbox.State.Visma.CreditNotes(tenant);

        var booked = methods.Count(m => payments.Any(p => p.PaymentMethodId == m));
        var duplicates = payments.GroupBy(p => (p.PaymentMethodId, p.CustomerNumber)).Sum(g => g.Count() - 1);
        var matched = plan.Sales.Count(s => invoiceRef.TryGetValue("CENTRA-" + s.OrderNumber, out var refs)
                                            && payments.Any(p => p.PaymentMethodId == s.PaymentMethodId && p.Lines.Any(l => refs.Contains(l.RefNbr))));
        var feesWrittenOff = payments.Sum(p => p.Lines.Count(l => l.BalanceWriteOff > 0m));
        var noteDuplicates = plan.Refunds.Sum(r => invoiceRef.TryGetValue("CENTRA-" + r.OrderNumber, out var refs)
            ? Math.Max(0, notes.Count(n => n.Applications.Any(a => refs.Contains(a.RefNbr))) - 1)
            : 0);
        var balanceMismatches = 0;
        foreach (var spec in specs)
        {
            var number = spec.Number!.Value;
            var order = sandbox.State.Centra.Order(number)!;
            var owed = order.GrandTotal - order.GiftCertificate - PaidFor(plan, number);
            balanceMismatches += invoices.Count(i => i.CustomerRefNumber == "CENTRA-" + number.ToString(CultureInfo.InvariantCulture) && i.Balance != owed);
        }

        var shopRefundNotes = (plan.ShopRefunds ?? []).Sum(r => invoiceRef.TryGetValue("CENTRA-" + r.OrderNumber, out var refs)
            ? notes.Count(n => n.Applications.Any(a => refs.Contains(a.RefNbr)))
            : 0);
        return new DemoPayoutCounts(booked, duplicates, matched, plan.Sales.Count - matched, feesWrittenOff, notes.Count, noteDuplicates, balanceMismatches, shopRefundNotes);
    }
}
