using System.Collections.Concurrent;
using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Stripe;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts;

/// <summary>
/// A PSP side handed to the flow through its port, for the checks a PSP's own data cannot provoke
/// (lines in another currency, hand-made totals). The main paths (booking, lost responses, storage wipe,
/// refunds) run against the Stripe emulator over HTTP instead (<see cref="PayoutFlowTests"/>).
/// </summary>
public sealed class RecordedPayoutSource(string provider) : IPayoutSource
{
    private readonly ConcurrentDictionary<string, Payout> _payouts = new(StringComparer.Ordinal);

    public string Provider { get; } = provider;

    public void Add(Payout payout) => _payouts[payout.PayoutId] = payout;

    public Task<Payout?> GetPayoutAsync(Integration integration, string payoutId, CancellationToken cancellationToken) =>
        Task.FromResult(_payouts.GetValueOrDefault(payoutId));

    public Task<IReadOnlyList<string>> ListPayoutIdsAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _payouts.Values.Where(p => p.CreatedAt >= since).Select(p => p.PayoutId)]);
}

/// <summary>Payouts → Visma customer payments with fees written off and refunds as credit notes, exactly once.</summary>
public class PayoutFlowTests(AzuriteFixture azurite)
{
    private const string Stripe = PayoutProviders.Stripe;

    private static PayoutFlowSettings Settings(string? reasonCode = DemoScenario.PspFeeReasonCode) => new()
    {
        Enabled = true,
        FeeWriteOffReasonCode = reasonCode,
        Providers = new Dictionary<string, PspPayoutSettings>
        {
            [Stripe] = new() { PaymentMethodId = "STRIPE", CashAccount = DemoScenario.PspClearingAccount, ReferencePrefix = "NT-" },
        },
    };

    private static async Task<(EngineHarness H, RecordedPayoutSource Psp)> StartAsync(
        AzuriteFixture azurite, Func<PayoutFlowSettings, PayoutFlowSettings>? settings = null, bool established = true, Func<VismaCompanySpec, VismaCompanySpec>? company = null)
    {
        var psp = new RecordedPayoutSource(Stripe);
        var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            EstablishedStorage = established,
            Company = company,
            Integration = i => i with { Payouts = (settings ?? (s => s))(Settings()) },
            Services = s => s.AddSingleton<IPayoutSource>(psp),
        });
        return (h, psp);
    }

    /// <summary>
    /// The engine with the PSP over real HTTP: the strict Stripe emulator (<see cref="StripeKit"/>), the payouts
    /// flow configured as in <see cref="Settings"/> (plus the emulator's base URL and API key).
    /// </summary>
    private static async Task<(EngineHarness H, StripeKit Psp)> StartEmulatedAsync(AzuriteFixture azurite, Func<PayoutFlowSettings, PayoutFlowSettings>? settings = null)
    {
        var k = await StripeKit.StartAsync(azurite, settings);
        return (k.H, k);
    }

    /// <summary>Seeds the lines as a Stripe payout (same transaction ids, minor units) and returns it as the connector reads it.</summary>
    private static async Task<Payout> SeedAsync(StripeKit k, string id, params PayoutLine[] lines)
    {
        await k.SeedAsync(new StripePayoutSeed
        {
            Id = id,
            Currency = "sek",
            ArrivalDate = k.H.Sandbox.State.Clock.GetUtcNow().AddDays(2),
            Transactions = [.. lines.Select(l => new StripeTransactionSeed
            {
                Id = l.TransactionId,
                Type = l.Kind == PayoutLineKind.Refund ? "refund" : "charge",
                Amount = StripeKit.Minor(l.Gross),
                Fee = StripeKit.Minor(l.Fee),
                OrderReference = l.Reference,
            })],
        });
        var payout = await k.H.Services.GetServices<IPayoutSource>().Single(s => s is Junipeer.Connectors.Payments.Stripe.StripePayoutSource)
            .GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);
        Assert.NotNull(payout);
        Assert.Equal(lines.Sum(l => l.Net), payout.Total);
        return payout;
    }

    private static PayoutLine Sale(int order, decimal gross, decimal fee, string currency = "SEK") =>
        new() { TransactionId = $"txn_s{order}", Kind = PayoutLineKind.Sale, Reference = $"NT-{order}", Gross = gross, Fee = fee, Currency = currency };

    private static PayoutLine Refund(int order, decimal amount) =>
        new() { TransactionId = $"txn_r{order}", Kind = PayoutLineKind.Refund, Reference = $"NT-{order}", Gross = -amount, Fee = 0m, Currency = "SEK" };

    private static Payout PayoutOf(string id, EngineHarness h, params PayoutLine[] lines) => new()
    {
        Provider = Stripe,
        PayoutId = id,
        Currency = "SEK",
        Total = lines.Sum(l => l.Net),
        Date = DateOnly.FromDateTime(h.Sandbox.State.Clock.GetUtcNow().UtcDateTime).AddDays(2),
        CreatedAt = DateTimeOffset.UtcNow,
        Lines = lines,
    };

    private static Task<PayoutResult> HandleAsync(EngineHarness h, string payoutId, string invocation = "test") =>
        h.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(h.Integration.Id, Stripe, payoutId, WorkReasons.Replay, "c-" + payoutId, DateTimeOffset.UtcNow), invocation, TestContext.Current.CancellationToken);

    private static Task<LedgerEntry?> PayoutRowAsync(EngineHarness h, string payoutId) =>
        h.Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(h.Integration.Id, PayoutFlows.Payouts, Stripe + ":" + payoutId), TestContext.Current.CancellationToken);

    private static IReadOnlyList<VismaCreditNoteSnapshot> CreditNotes(EngineHarness h) => h.Sandbox.State.Visma.CreditNotes(h.Tenant);

    [Fact]
    public async Task Payout_becomes_one_payment_per_customer_with_fees_written_off_and_ERP_calls_grow_with_customers()
    {
        var (h, psp) = await StartEmulatedAsync(azurite);
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7001, "anna@example.se"), (7002, "anna@example.se"), (7003, "bo@example.se"));
        var payout = await SeedAsync(psp, "po_1", Sale(7001, inv[7001].Amount, 12.50m), Sale(7002, inv[7002].Amount, 7.25m), Sale(7003, inv[7003].Amount, 3.10m));

        var before = h.VismaCalls;
        var result = await HandleAsync(h, "po_1");

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        // Two customers: per customer one payment lookup (a first delivery cannot vouch), one open-invoice
        // read, one create, one release; matching used the order flow's ledger.
        Assert.Equal(8, h.VismaCalls - before);
        Assert.Equal(2, h.Payments.Count);
        var anna = h.Payments.Single(p => p.CustomerNumber == inv[7001].CustomerNumber);
        Assert.Equal(2, anna.Lines.Count);
        Assert.Equal("Closed", anna.Status);
        Assert.Equal(inv[7001].Amount - 12.50m + inv[7002].Amount - 7.25m, anna.PaymentAmount);
        Assert.All(anna.Lines, l => Assert.Equal(DemoScenario.PspFeeReasonCode, l.WriteOffReasonCode));
        Assert.Equal(12.50m, anna.Lines.Single(l => l.RefNbr == inv[7001].ReferenceNumber).BalanceWriteOff);
        Assert.Equal("STRIPE", anna.PaymentMethodId);
        Assert.Equal(DemoScenario.PspClearingAccount, anna.CashAccount);
        Assert.Equal(PayoutSyncHandler.PaymentReference(payout, 0, anna.CustomerNumber), anna.PaymentRef);
        Assert.Equal(payout.Total, h.Payments.Sum(p => p.PaymentAmount));
        Assert.All(h.Invoices, i => Assert.Equal(0m, i.Balance));
        Assert.All(h.Invoices, i => Assert.Equal("Closed", i.Status));
        var row = (await PayoutRowAsync(h, "po_1"))!;
        Assert.Equal(LedgerStatus.Done, row.Status);
        Assert.Equal("22.85", row.Facts[PayoutFacts.FeesWrittenOff]);

        // The webhook, the timer and a replay deliver it again: nothing more is booked, no ERP call.
        var again = h.VismaCalls;
        Assert.Equal(SyncOutcome.AlreadyDone, (await HandleAsync(h, "po_1", "second")).Outcome);
        Assert.Equal(SyncOutcome.AlreadyDone, (await HandleAsync(h, "po_1", "third")).Outcome);
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(again, h.VismaCalls);
        Assert.Equal(0, h.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Lost_response_of_the_payment_create_completes_without_a_second_payment()
    {
        var (h, psp) = await StartEmulatedAsync(azurite);
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7011, "crash@example.se"));
        await SeedAsync(psp, "po_crash", Sale(7011, inv[7011].Amount, 9.90m));

        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/customerPayment";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<Exception>(() => HandleAsync(h, "po_crash", "first"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0.0;
        Assert.Single(h.Payments);
        Assert.Equal("Balanced", h.Payments[0].Status); // created, not released: the crash point

        var result = await HandleAsync(h, "po_crash", "second");
        Assert.Equal(SyncOutcome.Done, result.Outcome);
        var payment = Assert.Single(h.Payments);
        Assert.Equal("Closed", payment.Status);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        Assert.Equal(0m, h.Invoices.Single().Balance);
    }

    [Fact]
    public async Task Lost_response_of_the_release_is_resolved_by_the_payment_status()
    {
        var (h, psp) = await StartEmulatedAsync(azurite);
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7012, "rel@example.se"));
        await SeedAsync(psp, "po_rel", Sale(7012, inv[7012].Amount, 4m));

        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/customerPayment/";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        var first = await Record.ExceptionAsync(() => HandleAsync(h, "po_rel", "first"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0.0;

        // Whether the lost release surfaces (or the connector resolved it itself), the next delivery
        // settles on the payment's status: no second payment, no second release.
        Assert.Equal(first is null ? SyncOutcome.AlreadyDone : SyncOutcome.Done, (await HandleAsync(h, "po_rel", "second")).Outcome);
        Assert.Equal("Closed", Assert.Single(h.Payments).Status);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
    }

    [Fact]
    public async Task Storage_wipe_after_booking_makes_no_second_payment_and_matching_falls_back_to_the_ERP()
    {
        var (h, psp) = await StartEmulatedAsync(azurite, s => s with { ReferenceField = InvoiceReferenceField.ExternalReference });
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7021, "wipe@example.se"), (7022, "wipe2@example.se"));
        await SeedAsync(psp, "po_wipe", Sale(7021, inv[7021].Amount, 5m), Sale(7022, inv[7022].Amount, 6m));
        Assert.Equal(SyncOutcome.Done, (await HandleAsync(h, "po_wipe")).Outcome);
        Assert.Equal(2, h.Payments.Count);

        await h.WipeStorageAsync();
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(psp.Integration, TestContext.Current.CancellationToken); // the PSP's base URL
        var result = await HandleAsync(h, "po_wipe", "after-wipe");

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(0, result.Payments);
        Assert.Equal(2, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        // The orders ledger is gone too: the invoices were found by the external reference in Visma.
        Assert.True(h.Sandbox.State.Stats.Count("visma GET /v1/customerinvoice") >= 2);
        Assert.Equal(LedgerStatus.Done, (await PayoutRowAsync(h, "po_wipe"))!.Status);
        Assert.Equal(0, h.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Refund_in_the_payout_becomes_one_credit_note_with_the_invoice_VAT_applied_to_the_invoice()
    {
        var (h, psp) = await StartEmulatedAsync(azurite);
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7031, "refund@example.se"));
        var invoice = inv[7031];
        const decimal refunded = 100m;
        var seeded = await SeedAsync(psp, "po_refund", Sale(7031, invoice.Amount, 8m), Refund(7031, refunded));
        var refundId = Assert.Single(seeded.Lines, l => l.Kind == PayoutLineKind.Refund).RefundId;
        Assert.NotNull(refundId);
        Assert.StartsWith("re_", refundId, StringComparison.Ordinal); // Stripe's refund id, the key a Centra refund shares

        var result = await HandleAsync(h, "po_refund");

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        var note = Assert.Single(CreditNotes(h));
        Assert.Equal(refunded, note.Document.Amount);
        Assert.Equal(invoice.VatZoneId, note.Document.VatZoneId);
        Assert.Equal(invoice.Lines.Select(l => l.VatCodeId).Distinct().Order(), note.Document.Lines.Select(l => l.VatCodeId).Distinct().Order());
        Assert.InRange(note.Document.VatTotal, Math.Round(invoice.VatTotal * refunded / invoice.Amount, 2) - 0.02m, Math.Round(invoice.VatTotal * refunded / invoice.Amount, 2) + 0.02m);
        Assert.Equal("Closed", note.Document.Status);
        var applied = Assert.Single(note.Applications);
        Assert.Equal(invoice.ReferenceNumber, applied.RefNbr);
        Assert.Equal(refunded, applied.AmountPaid);
        Assert.Equal(PayoutSyncHandler.CreditNoteReference(Stripe, refundId), note.Document.CustomerRefNumber);

        var payment = Assert.Single(h.Payments);
        Assert.Equal(invoice.Amount - refunded - 8m, payment.PaymentAmount);
        Assert.Equal(0m, h.Invoices.Single().Balance);

        // Once: a replay makes no second credit note.
        Assert.Equal(SyncOutcome.AlreadyDone, (await HandleAsync(h, "po_refund", "again")).Outcome);
        Assert.Single(CreditNotes(h));
    }

    [Fact]
    public async Task Lost_response_of_the_credit_note_create_is_recovered_by_reference()
    {
        var (h, psp) = await StartEmulatedAsync(azurite);
        await using var _ = psp;
        var inv = await h.InvoicesAsync((7032, "refund2@example.se"));
        await SeedAsync(psp, "po_refund2", Sale(7032, inv[7032].Amount, 2m), Refund(7032, 50m));

        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v2/customerCreditNote";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<Exception>(() => HandleAsync(h, "po_refund2", "first"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0.0;

        Assert.Equal(SyncOutcome.Done, (await HandleAsync(h, "po_refund2", "second")).Outcome);
        Assert.Single(CreditNotes(h));
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote"));
        Assert.Equal(0m, h.Invoices.Single().Balance);
    }

    [Fact]
    public async Task Unmatched_transaction_never_blocks_the_rest_and_is_booked_once_its_invoice_appears()
    {
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var inv = await h.InvoicesAsync((7041, "match@example.se"));
        var late = DemoData.SwedishOrder(7042);
        late.Customer!.Email = "late@example.se";
        late.BillingAddress!.Email = "late@example.se";
        var lateGross = inv[7041].Amount; // the same order template: the same total
        psp.Add(PayoutOf("po_partial", h, Sale(7041, inv[7041].Amount, 3m), Sale(7042, lateGross, 4m),
            new PayoutLine { TransactionId = "txn_other", Kind = PayoutLineKind.Sale, Reference = "XX-1", Gross = 10m, Currency = "SEK" }));

        var first = await HandleAsync(h, "po_partial");
        Assert.Equal(SyncOutcome.Requeued, first.Outcome);
        Assert.Equal(ErrorCodes.PayoutInvoiceNotFound, first.ErrorCode);
        Assert.Equal(2, first.Unmatched);
        Assert.Single(h.Payments);
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.PayoutInvoiceNotFound && e.Message.Contains("txn_other", StringComparison.Ordinal));
        var row = (await PayoutRowAsync(h, "po_partial"))!;
        Assert.Equal(LedgerStatus.Pending, row.Status);
        Assert.Equal("1", row.Facts[PayoutFacts.Matched]);

        // The late order's invoice appears.
        h.AddOrder(late);
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(lateGross, h.Invoices.Single(i => i.CustomerRefNumber == "CENTRA-7042").Amount);

        var second = await HandleAsync(h, "po_partial", "retry");
        Assert.Equal(SyncOutcome.Requeued, second.Outcome);
        Assert.Equal(1, second.Unmatched);
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(0m, h.Invoices.Single(i => i.CustomerRefNumber == "CENTRA-7042").Balance);

        // A third delivery books nothing twice.
        await HandleAsync(h, "po_partial", "third");
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(2, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
    }

    [Fact]
    public async Task Lines_that_do_not_add_up_hold_the_payout_with_the_difference_and_book_nothing()
    {
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var inv = await h.InvoicesAsync((7051, "sum@example.se"));
        psp.Add(PayoutOf("po_sum", h, Sale(7051, inv[7051].Amount, 5m)) with { Total = inv[7051].Amount - 5m + 1.25m });

        var result = await HandleAsync(h, "po_sum");

        Assert.Equal(SyncOutcome.Failed, result.Outcome);
        Assert.Equal(ErrorCodes.PayoutTotalMismatch, result.ErrorCode);
        Assert.Contains("difference 1.25", result.Message, StringComparison.Ordinal);
        Assert.Empty(h.Payments);
        Assert.Equal(LedgerStatus.Failed, (await PayoutRowAsync(h, "po_sum"))!.Status);
    }

    [Fact]
    public async Task Currency_different_from_the_invoice_is_refused_before_anything_is_booked()
    {
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var inv = await h.InvoicesAsync((7061, "cur@example.se"), (7062, "cur2@example.se"));
        psp.Add(PayoutOf("po_eur", h, Sale(7061, inv[7061].Amount, 1m, "EUR"), Sale(7062, inv[7062].Amount, 1m, "EUR")) with { Currency = "EUR" });
        psp.Add(PayoutOf("po_mixed", h, Sale(7061, inv[7061].Amount, 1m), Sale(7062, inv[7062].Amount, 1m, "EUR")));

        var eur = await HandleAsync(h, "po_eur");
        var mixed = await HandleAsync(h, "po_mixed");

        Assert.Equal(ErrorCodes.PayoutCurrencyMismatch, eur.ErrorCode);
        Assert.Contains("SEK", eur.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.PayoutCurrencyMismatch, mixed.ErrorCode);
        Assert.Empty(h.Payments);
    }

    [Fact]
    public async Task Missing_or_unknown_write_off_reason_code_fails_with_its_code()
    {
        var (h, psp) = await StartAsync(azurite, s => s with { FeeWriteOffReasonCode = null });
        await using var _ = h;
        var inv = await h.InvoicesAsync((7071, "fee@example.se"));
        psp.Add(PayoutOf("po_fee", h, Sale(7071, inv[7071].Amount, 5m)));

        var missing = await HandleAsync(h, "po_fee");
        Assert.Equal(ErrorCodes.PayoutFeeWriteOffFailed, missing.ErrorCode);
        Assert.Contains("FeeWriteOffReasonCode", missing.Message, StringComparison.Ordinal);
        Assert.Empty(h.Payments);

        var (h2, psp2) = await StartAsync(azurite, s => s with { FeeWriteOffReasonCode = "NOSUCH" });
        await using var __ = h2;
        var inv2 = await h2.InvoicesAsync((7072, "fee2@example.se"));
        psp2.Add(PayoutOf("po_fee2", h2, Sale(7072, inv2[7072].Amount, 5m)));
        var unknown = await HandleAsync(h2, "po_fee2");
        Assert.Equal(ErrorCodes.PayoutFeeWriteOffFailed, unknown.ErrorCode);
        Assert.Contains("NOSUCH", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(h2.Payments);
    }

    [Fact]
    public async Task Fees_booked_as_a_charge_deduct_from_the_payment()
    {
        var (h, psp) = await StartAsync(azurite, s => s with { FeeBooking = FeeBooking.Charge, FeeWriteOffReasonCode = null, FeeChargeEntryType = DemoScenario.PspFeeChargeEntryType });
        await using var _ = h;
        var inv = await h.InvoicesAsync((7081, "charge@example.se"));
        psp.Add(PayoutOf("po_charge", h, Sale(7081, inv[7081].Amount, 6.40m)));

        Assert.Equal(SyncOutcome.Done, (await HandleAsync(h, "po_charge")).Outcome);
        var payment = Assert.Single(h.Payments);
        Assert.Equal(inv[7081].Amount - 6.40m, payment.PaymentAmount);
        Assert.Equal(inv[7081].Amount, Assert.Single(payment.Lines).AmountPaid);
        Assert.Equal(0m, h.Invoices.Single().Balance);
    }

    [Fact]
    public async Task Payout_dated_before_the_invoice_or_settling_a_paid_invoice_is_held()
    {
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var inv = await h.InvoicesAsync((7091, "date@example.se"));
        psp.Add(PayoutOf("po_early", h, Sale(7091, inv[7091].Amount, 1m)) with { Date = inv[7091].DocumentDate.AddDays(-1) });
        var early = await HandleAsync(h, "po_early");
        Assert.Equal(ErrorCodes.PayoutDateBeforeInvoice, early.ErrorCode);
        Assert.Empty(h.Payments);

        psp.Add(PayoutOf("po_ok", h, Sale(7091, inv[7091].Amount, 1m)));
        Assert.Equal(SyncOutcome.Done, (await HandleAsync(h, "po_ok")).Outcome);
        psp.Add(PayoutOf("po_twice", h, Sale(7091, inv[7091].Amount, 1m) with { TransactionId = "txn_other_batch" }));
        var twice = await HandleAsync(h, "po_twice");
        Assert.Equal(ErrorCodes.PayoutInvoiceNotOpen, twice.ErrorCode);
        Assert.Single(h.Payments);

        var unknown = await HandleAsync(h, "po_unknown");
        Assert.Equal(ErrorCodes.PayoutNotFound, unknown.ErrorCode);
    }

    [Theory]
    [InlineData("NT-5001", "NT-", "5001")]
    [InlineData("5001", null, "5001")]
    [InlineData("5001", "NT-", null)]
    [InlineData(" NT-77 ", "NT-", "77")]
    [InlineData("NT-", "NT-", null)]
    [InlineData(null, "NT-", null)]
    public void PSP_reference_minus_the_PSP_prefix_is_the_order_number(string? reference, string? prefix, string? expected) =>
        Assert.Equal(expected, PayoutMatcher.OrderNumberOf(reference, prefix));
}
