using System.Globalization;
using Junipeer.Cli.Demo;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>Gift certificates are payment, not discount: one released customer payment per order, exactly once.</summary>
public class GiftCertificatePaymentTests(AzuriteFixture azurite)
{
    private const decimal Gift = 150m;

    private static CentraOrderSpec GiftOrder(int number, string? email = null, decimal gift = Gift)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Customer!.Email = email ?? spec.Customer.Email;
        spec.BillingAddress!.Email = spec.Customer.Email;
        spec.GiftCertificate = gift;
        return spec;
    }

    private static Task ReplayAsync(EngineHarness h, int number) =>
        h.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(
            WorkItem.ForOrder(h.Integration.Id, number.ToString(CultureInfo.InvariantCulture), WorkReasons.Replay, $"replay-{number}", DateTimeOffset.UtcNow),
            null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Gift_certificate_becomes_one_released_payment_and_the_invoice_balance_is_what_the_PSP_pays()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(GiftOrder(2001, "gift@example.se"));
        await h.SweepAsync();
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal(order.GrandTotal, invoice.Amount); // VAT on the full sale: the gift certificate is not a discount
        Assert.Equal(order.TotalVat, invoice.VatTotal);
        Assert.Equal("Open", invoice.Status);
        Assert.Equal(order.GrandTotal - Gift, invoice.Balance);

        var payment = Assert.Single(h.Payments);
        Assert.Equal("GC-CENTRA-2001", payment.PaymentRef);
        Assert.Equal(Gift, payment.PaymentAmount);
        Assert.Equal("Closed", payment.Status);
        Assert.Equal(DemoScenario.GiftCardPaymentMethod, payment.PaymentMethodId);
        Assert.Equal(DemoScenario.GiftCardCashAccount, payment.CashAccount);
        Assert.Equal(invoice.CustomerNumber, payment.CustomerNumber);
        Assert.Equal("SEK", payment.Currency);
        var line = Assert.Single(payment.Lines);
        Assert.Equal(invoice.ReferenceNumber, line.RefNbr);
        Assert.Equal(Gift, line.AmountPaid);

        var entry = (await h.LedgerAsync(2001))!;
        Assert.Equal(LedgerStatus.Done, entry.Status);
        Assert.Equal(nameof(OrderPhase.GiftPaymentReleased), entry.Phase);
        Assert.Equal(payment.RefNbr, entry.Document(OrderDocuments.GiftPayment));
        Assert.Equal("150", entry.Facts["giftCertificates"]);
        Assert.Contains(await h.EventsAsync(), e => e.EntityKey == "2001" && e.Message.Contains($"payment {payment.RefNbr}", StringComparison.Ordinal));

        // A known customer: invoice create + release, payment create + release; no lookups on a fresh claim.
        h.AddOrder(GiftOrder(2002, "gift@example.se"));
        var before = h.VismaCalls;
        await ReplayAsync(h, 2002);
        await h.DrainAsync();
        Assert.Equal(4, h.VismaCalls - before);
        Assert.Equal(2, h.Payments.Count);
    }

    [Fact]
    public async Task Lost_response_on_the_payment_POST_is_recovered_by_lookup_with_exactly_one_payment()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(GiftOrder(2003));
        await h.SweepAsync();

        // First delivery: the payment create commits in Visma but its response is lost. Second: fine.
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/customerPayment";
        var attempts = await h.DrainAsync(attempt => h.Sandbox.State.Faults.VismaCommitThenDropRate = attempt == 0 ? 1.0 : 0.0);

        Assert.Equal(2, attempts);
        var invoice = Assert.Single(h.Invoices);
        var payment = Assert.Single(h.Payments);
        Assert.Equal("GC-CENTRA-2003", payment.PaymentRef);
        Assert.Equal("Closed", payment.Status);
        Assert.Equal(order.GrandTotal - Gift, invoice.Balance);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma GET /v1/customerPayment"));
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
        var entry = (await h.LedgerAsync(2003))!;
        Assert.Equal(LedgerStatus.Done, entry.Status);
        Assert.Equal(payment.RefNbr, entry.Document(OrderDocuments.GiftPayment));
    }

    [Fact]
    public async Task Without_the_setting_the_gift_certificate_stays_a_note_and_no_payment_is_made()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Orders = i.Orders with { GiftCertificatePayment = null } },
        });
        var order = h.AddOrder(GiftOrder(2004));
        await h.SweepAsync();
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal(order.GrandTotal, invoice.Balance);
        Assert.Empty(h.Payments);
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma POST /v1/customerPayment"));
        var entry = (await h.LedgerAsync(2004))!;
        Assert.Equal(LedgerStatus.Done, entry.Status);
        Assert.Equal("150", entry.Facts["giftCertificates"]);
        Assert.Null(entry.Document(OrderDocuments.GiftPayment));
    }

    [Fact]
    public async Task Unreleased_invoices_skip_the_payment_with_a_warning_and_the_order_is_done()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Orders = i.Orders with { ReleaseInvoices = false } },
        });
        h.AddOrder(GiftOrder(2005));
        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Equal("Balanced", Assert.Single(h.Invoices).Status);
        Assert.Empty(h.Payments);
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(2005))!.Status);
        var warning = Assert.Single(await h.EventsAsync(), e => e.Severity == EventSeverity.Warning && e.EntityKey == "2005");
        Assert.Contains("not booked as a payment", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ReleaseInvoices", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_cash_account_fails_with_ERP_REQUEST_REJECTED_and_after_the_fix_a_replay_adds_only_the_payment()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Orders = i.Orders with { GiftCertificatePayment = new GiftCertificatePaymentSettings { PaymentMethodId = "GIFTCARD", CashAccount = "2421" } } },
        });
        var order = h.AddOrder(GiftOrder(2006));
        await h.SweepAsync();
        await h.DrainAsync();

        var failed = (await h.LedgerAsync(2006))!;
        Assert.Equal(LedgerStatus.Failed, failed.Status);
        Assert.Equal(ErrorCodes.ErpRequestRejected, failed.ErrorCode);
        Assert.Contains("Cash account '2421'", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("Open", Assert.Single(h.Invoices).Status); // the invoice is booked; only the payment is missing
        Assert.Empty(h.Payments);

        var fixedIntegration = h.Integration with
        {
            Orders = h.Integration.Orders with { GiftCertificatePayment = new GiftCertificatePaymentSettings { PaymentMethodId = "GIFTCARD", CashAccount = "2420" } },
        };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(fixedIntegration, TestContext.Current.CancellationToken);
        await ReplayAsync(h, 2006);
        await h.DrainAsync();

        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(2006))!.Status);
        var invoice = Assert.Single(h.Invoices);
        Assert.Equal(order.GrandTotal - Gift, invoice.Balance);
        Assert.Equal("2420", Assert.Single(h.Payments).CashAccount);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
    }

    [Fact]
    public async Task Two_payments_with_the_order_reference_fail_with_DUPLICATE_PAYMENT_FOR_ORDER()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(GiftOrder(2007));
        await h.SweepAsync();
        await h.DrainAsync();
        var payment = Assert.Single(h.Payments);

        // Someone books a second gift-certificate payment with the same reference by hand, and the
        // ledger is left as if an attempt had died right after writing GiftPaymentAttempted.
        var erp = h.Services.GetRequiredService<IErpResolver>().For(h.Integration).Payments;
        var entry = (await h.LedgerAsync(2007))!;
        await erp.CreatePaymentAsync(h.Integration, new ErpPaymentDraft
        {
            CustomerNumber = entry.Document(OrderDocuments.Customer)!,
            Date = DateOnly.FromDateTime(DateTime.UtcNow),
            CurrencyId = "SEK",
            Reference = payment.PaymentRef!,
            PaymentMethodId = "GIFTCARD",
            CashAccount = "2420",
            Amount = 10m,
            InvoiceNumber = entry.Document(OrderDocuments.Invoice)!,
        }, TestContext.Current.CancellationToken);
        var documents = entry.Documents.Where(f => f.Key != OrderDocuments.GiftPayment).ToDictionary(f => f.Key, f => f.Value);
        await h.Services.GetRequiredService<ISyncLedger>().SaveAsync(
            entry with { Status = LedgerStatus.Pending, Phase = nameof(OrderPhase.GiftPaymentCreateAttempted), Documents = documents }, TestContext.Current.CancellationToken);

        await ReplayAsync(h, 2007);
        await h.DrainAsync();

        var failed = (await h.LedgerAsync(2007))!;
        Assert.Equal(ErrorCodes.DuplicatePaymentForOrder, failed.ErrorCode);
        Assert.Contains("GC-CENTRA-2007", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(2, h.Payments.Count);
    }

    [Fact]
    public void Settings_need_both_payment_method_and_cash_account_when_present()
    {
        var integration = DemoScenario.Integration(new Uri("http://localhost/visma"), new Uri("http://localhost/token"), new Uri("http://localhost/graphql"));
        var dev = new IntegrationRules { AllowLoopbackHttp = true }; // http://localhost needs the development switch
        Assert.Empty(IntegrationValidator.Problems(integration, dev));
        Assert.Empty(IntegrationValidator.Problems(integration with { Orders = integration.Orders with { GiftCertificatePayment = null } }, dev));

        var bad = integration with { Orders = integration.Orders with { GiftCertificatePayment = new GiftCertificatePaymentSettings { PaymentMethodId = " ", CashAccount = "" } } };
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(bad, dev));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, ex.Code);
        Assert.Contains("Orders.GiftCertificatePayment.PaymentMethodId is required.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Orders.GiftCertificatePayment.CashAccount is required.", ex.Message, StringComparison.Ordinal);
    }
}
