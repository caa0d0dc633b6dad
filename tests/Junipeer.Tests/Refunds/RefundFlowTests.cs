using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Refunds;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Functions.Refunds;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Payouts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Refunds;

/// <summary>
/// Refunds made in Centra (paymentHistory REFUND entries in the Centra emulator, read over GraphQL and
/// validated by its SDL) → Visma credit notes (the Visma emulator, validated against Visma's OpenAPI),
/// exactly once, sharing their key with refunds found in payouts. Ledger and queues on Azurite.
/// </summary>
public class RefundFlowTests(AzuriteFixture azurite)
{
    private const string Adyen = PayoutProviders.Adyen; // DemoData orders pay with "adyen_cc"

    private static readonly decimal[] MixedRates = [12m, 25m];

    private static async Task<(EngineHarness H, RecordedPayoutSource Psp)> StartAsync(
        AzuriteFixture azurite, Func<PayoutFlowSettings, PayoutFlowSettings>? settings = null, bool established = true, TimeProvider? sandboxTime = null, TimeProvider? engineTime = null)
    {
        var psp = new RecordedPayoutSource(Adyen);
        var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            EstablishedStorage = established,
            SandboxTime = sandboxTime,
            EngineTime = engineTime,
            Integration = i => i with
            {
                Payouts = (settings ?? (s => s))(new PayoutFlowSettings
                {
                    Enabled = true,
                    ShopRefunds = true,
                    FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                    Providers = new Dictionary<string, PspPayoutSettings>
                    {
                        [Adyen] = new() { PaymentMethodId = "ADYEN", CashAccount = DemoScenario.PspClearingAccount, ReferencePrefix = "NT-" },
                    },
                }),
            },
            Services = s => s.AddSingleton<IPayoutSource>(psp),
        });
        return (h, psp);
    }

    private static async Task<VismaInvoiceSnapshot> InvoiceAsync(EngineHarness h, int number)
    {
        h.AddOrder(DemoData.SwedishOrder(number));
        await h.SweepAsync();
        await h.DrainAsync();
        return h.Invoices.Single(i => i.CustomerRefNumber == "CENTRA-" + number);
    }

    private static Task<RefundSyncResult> HandleAsync(EngineHarness h, int number, string invocation = "test") =>
        h.Services.GetRequiredService<RefundSyncHandler>().HandleAsync(
            WorkItem.ForRefunds(h.Integration.Id, number.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Replay, "c-" + number, DateTimeOffset.UtcNow),
            invocation, TestContext.Current.CancellationToken);

    private static Task<LedgerEntry?> RefundRowAsync(EngineHarness h, string pspRefundId) =>
        h.Services.GetRequiredService<ISyncLedger>().GetAsync(
            new LedgerKey(h.Integration.Id, PayoutFlows.Refunds, RefundKeys.EntityKey(Adyen, pspRefundId)), TestContext.Current.CancellationToken);

    private static IReadOnlyList<VismaCreditNoteSnapshot> CreditNotes(EngineHarness h) => h.Sandbox.State.Visma.CreditNotes(h.Tenant);

    private static VismaInvoiceSnapshot Invoice(EngineHarness h, int number) => h.Invoices.Single(i => i.CustomerRefNumber == "CENTRA-" + number);

    /// <summary>Processes queue "refunds" until empty, as the Functions host would (poison after the max dequeue count).</summary>
    private static async Task<int> DrainRefundsAsync(EngineHarness h)
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = h.Queue(RefundSyncFunction.Queue);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var invocations = 0;
        for (var round = 0; round < 50; round++)
        {
            var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
                break;
            foreach (var m in batch)
            {
                invocations++;
                try
                {
                    await h.Function<RefundSyncFunction>().Run(m.MessageText, ct);
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                }
                catch (Exception) when (m.DequeueCount >= 5)
                {
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    await h.Function<RefundPoisonFunction>().Run(m.MessageText, ct);
                }
                catch (Exception)
                {
                    await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                }
            }
        }

        return invocations;
    }

    [Fact]
    public async Task Centra_refund_becomes_one_credit_note_applied_to_the_invoice_with_the_invoices_VAT()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        var invoice = await InvoiceAsync(h, 8101);
        const decimal refunded = 186.50m; // a quarter of the 746.00 order, mixed 25 % and 12 % lines
        h.Sandbox.State.Centra.AddRefund(8101, "RFD-8101-1", refunded);

        // The Centra webhook for the changed order enqueues it on "refunds" too; the queue trigger books it.
        var body = EngineHarness.WebhookBody("update", 8101);
        Assert.Equal(202, (await h.PostWebhookAsync(body, h.Sign(body))).Status);
        Assert.Equal(1, await DrainRefundsAsync(h));

        var note = Assert.Single(CreditNotes(h));
        Assert.Equal(refunded, note.Document.Amount);
        Assert.Equal(RefundKeys.Reference(Adyen, "RFD-8101-1"), note.Document.CustomerRefNumber);
        Assert.Equal(invoice.CustomerNumber, note.Document.CustomerNumber);
        Assert.Equal(invoice.VatZoneId, note.Document.VatZoneId);
        Assert.Equal(invoice.Lines.Select(l => l.VatCodeId).Distinct().Order(), note.Document.Lines.Select(l => l.VatCodeId).Distinct().Order());
        // Per VAT category the invoice's net and VAT scaled by refund / total (to the cent, rounding on the largest line).
        var ratio = refunded / invoice.Amount;
        Assert.InRange(note.Document.VatTotal, Math.Round(invoice.VatTotal * ratio, 2) - 0.02m, Math.Round(invoice.VatTotal * ratio, 2) + 0.02m);
        Assert.Equal("Closed", note.Document.Status);
        var applied = Assert.Single(note.Applications);
        Assert.Equal(invoice.ReferenceNumber, applied.RefNbr);
        Assert.Equal(refunded, applied.AmountPaid);
        Assert.Equal(invoice.Amount - refunded, Invoice(h, 8101).Balance);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote")); // the current create, not the deprecated v1
        Assert.Equal(0, h.Sandbox.State.Stats.Count("visma POST /v1/customerCreditNote"));
        Assert.Empty(h.Sandbox.State.Contract.All); // Centra queries on the SDL, Visma writes on the OpenAPI

        var row = (await RefundRowAsync(h, "RFD-8101-1"))!;
        Assert.Equal(LedgerStatus.Done, row.Status);
        Assert.Equal(nameof(RefundPhase.CreditNoteReleased), row.Phase);
        Assert.Equal("centra", row.Facts[RefundSyncHandler.SourceFact]);
    }

    [Fact]
    public async Task Partial_refunds_and_a_shipping_refund_are_one_credit_note_each_and_add_up_on_the_invoice()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        var invoice = await InvoiceAsync(h, 8102);
        h.Sandbox.State.Centra.AddRefund(8102, "RFD-8102-goods", 199m); // the book
        var first = await HandleAsync(h, 8102);
        Assert.Equal(SyncOutcome.Done, first.Outcome);
        Assert.Equal(1, first.CreditNotes);

        h.Sandbox.State.Centra.AddRefund(8102, "RFD-8102-shipping", 49m); // the shipping
        var second = await HandleAsync(h, 8102, "second");
        Assert.Equal(SyncOutcome.Done, second.Outcome);
        Assert.Equal(1, second.CreditNotes);
        Assert.Equal(1, second.AlreadyBooked);

        var notes = CreditNotes(h);
        Assert.Equal(2, notes.Count);
        Assert.Equal([49m, 199m], notes.Select(n => n.Document.Amount).Order());
        Assert.All(notes, n => Assert.Equal(invoice.VatZoneId, n.Document.VatZoneId));
        Assert.All(notes, n => Assert.Equal(invoice.ReferenceNumber, Assert.Single(n.Applications).RefNbr));
        Assert.Equal(invoice.Amount - 248m, Invoice(h, 8102).Balance);
        // Each credit note's net + VAT is its refund exactly.
        Assert.All(notes, n => Assert.Equal(n.Document.Amount, n.Document.DetailTotal + n.Document.VatTotal));

        Assert.Equal(SyncOutcome.AlreadyDone, (await HandleAsync(h, 8102, "third")).Outcome);
        Assert.Equal(2, CreditNotes(h).Count);
    }

    [Fact]
    public async Task A_refund_seen_in_Centra_and_in_a_payout_is_one_credit_note_whichever_comes_first()
    {
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var a = await InvoiceAsync(h, 8103);
        var b = await InvoiceAsync(h, 8104);
        var date = DateOnly.FromDateTime(h.Sandbox.State.Clock.GetUtcNow().UtcDateTime).AddDays(2);
        PayoutLine Sale(int n, decimal gross) => new() { TransactionId = $"cap_{n}", Kind = PayoutLineKind.Sale, Reference = $"NT-{n}", Gross = gross, Fee = 3m, Currency = "SEK" };
        PayoutLine Refund(int n, string id, decimal amount) => new() { TransactionId = id, Kind = PayoutLineKind.Refund, Reference = $"NT-{n}", Gross = -amount, Currency = "SEK" };
        Payout PayoutOf(string id, params PayoutLine[] lines) => new()
        {
            Provider = Adyen, PayoutId = id, Currency = "SEK", Total = lines.Sum(l => l.Net), Date = date, CreatedAt = DateTimeOffset.UtcNow, Lines = lines,
        };
        var payouts = h.Services.GetRequiredService<PayoutSyncHandler>();
        Task<PayoutResult> Payout(string id) => payouts.HandleAsync(
            WorkItem.ForPayout(h.Integration.Id, Adyen, id, WorkReasons.Replay, "c-" + id, DateTimeOffset.UtcNow), "t-" + id, TestContext.Current.CancellationToken);

        // Centra first, then the payout carrying the same refund (Adyen: the refund's pspReference).
        h.Sandbox.State.Centra.AddRefund(8103, "PSPREF-8103", 100m);
        Assert.Equal(1, (await HandleAsync(h, 8103)).CreditNotes);
        psp.Add(PayoutOf("batch-1", Sale(8103, a.Amount), Refund(8103, "PSPREF-8103", 100m)));
        var p1 = await Payout("batch-1");
        Assert.Equal(SyncOutcome.Done, p1.Outcome);
        Assert.Equal(0, p1.CreditNotes);

        // The payout first, then the refund shows in Centra.
        psp.Add(PayoutOf("batch-2", Sale(8104, b.Amount), Refund(8104, "PSPREF-8104", 60m)));
        var p2 = await Payout("batch-2");
        Assert.Equal(1, p2.CreditNotes);
        h.Sandbox.State.Centra.AddRefund(8104, "PSPREF-8104", 60m);
        var late = await HandleAsync(h, 8104);
        Assert.Equal(SyncOutcome.AlreadyDone, late.Outcome);
        Assert.Equal(1, late.AlreadyBooked);

        var notes = CreditNotes(h);
        Assert.Equal(2, notes.Count);
        Assert.Single(notes, n => n.Document.CustomerRefNumber == RefundKeys.Reference(Adyen, "PSPREF-8103"));
        Assert.Single(notes, n => n.Document.CustomerRefNumber == RefundKeys.Reference(Adyen, "PSPREF-8104"));
        Assert.Equal(0m, Invoice(h, 8103).Balance); // credit 100 + payment (total − 100 − fee) + fee written off
        Assert.Equal(0m, Invoice(h, 8104).Balance);
    }

    [Fact]
    public async Task Duplicate_triggers_webhook_twice_and_the_sweep_book_one_credit_note()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        await InvoiceAsync(h, 8105);
        h.Sandbox.State.Centra.AddRefund(8105, "RFD-8105", 75m);

        var body = EngineHarness.WebhookBody("update", 8105, 8105);
        Assert.Equal(202, (await h.PostWebhookAsync(body, h.Sign(body))).Status);
        Assert.Equal(202, (await h.PostWebhookAsync(body, h.Sign(body))).Status);
        await h.Function<PayoutSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken); // payout timer runs the refund sweep
        Assert.True(await h.QueueLengthAsync(RefundSyncFunction.Queue) >= 3);

        await DrainRefundsAsync(h);

        var note = Assert.Single(CreditNotes(h));
        Assert.Equal(75m, note.Document.Amount);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote"));
    }

    [Fact]
    public async Task The_refund_sweep_enqueues_one_check_per_version_of_an_order_not_one_per_run()
    {
        var shopClock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var (h, _) = await StartAsync(azurite, sandboxTime: shopClock);
        await using var _ = h;
        await InvoiceAsync(h, 8109);
        await h.Queue(RefundSyncFunction.Queue).CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await h.Queue(RefundSyncFunction.Queue).ClearMessagesAsync(TestContext.Current.CancellationToken);
        h.Sandbox.State.Centra.AddRefund(8109, "RFD-8109", 40m);

        // The payout timer runs the refund sweep every few minutes over an overlap window: the same unchanged
        // order must not become one more message per run while its check is still queued (it did before).
        for (var run = 0; run < 4; run++)
        {
            await h.Function<PayoutSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, await h.QueueLengthAsync(RefundSyncFunction.Queue));

        // A second refund changes the order (a new updatedAt): a new version, checked again.
        shopClock.Advance(TimeSpan.FromSeconds(2)); // Centra's updatedAt has whole seconds
        h.Sandbox.State.Centra.AddRefund(8109, "RFD-8109b", 10m);
        await h.Function<PayoutSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);
        Assert.Equal(2, await h.QueueLengthAsync(RefundSyncFunction.Queue));

        await DrainRefundsAsync(h);
        Assert.Equal([40m, 10m], CreditNotes(h).Select(n => n.Document.Amount).OrderDescending());
    }

    [Fact]
    public async Task A_refund_check_consumed_while_shop_refunds_were_paused_is_enqueued_again_after_the_grace_not_lost()
    {
        // Review finding: the memo hides a version of an order for SweepMemo.Grace whatever became of its
        // check; a check consumed while shop refunds were off booked nothing, and the checkpoint moved the
        // order out of the overlap window before the grace ended: the refund was never booked.
        var ct = TestContext.Current.CancellationToken;
        var shopClock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var engine = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var (h, _) = await StartAsync(azurite, sandboxTime: shopClock, engineTime: engine);
        await using var _ = h;
        await InvoiceAsync(h, 8201);
        await h.Queue(RefundSyncFunction.Queue).CreateIfNotExistsAsync(cancellationToken: ct);
        await h.Queue(RefundSyncFunction.Queue).ClearMessagesAsync(ct);
        h.Sandbox.State.Centra.AddRefund(8201, "RFD-8201", 40m);
        var sweep = h.Services.GetRequiredService<RefundSweepHandler>();
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        var live = h.Integration;
        Assert.Equal(1, (await sweep.SweepAsync(live, ct)).Enqueued);

        await store.SaveAsync(live with { Payouts = live.Payouts with { ShopRefunds = false } }, ct);
        await DrainRefundsAsync(h);
        await store.SaveAsync(live, ct);
        Assert.Empty(CreditNotes(h));

        // A later change in the shop moves the refund checkpoint on while 8201's version is remembered.
        shopClock.Advance(TimeSpan.FromMinutes(20));
        h.AddOrder(DemoData.SwedishOrder(8202));
        engine.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await sweep.SweepAsync(live, ct)).Enqueued); // 8202 only

        engine.Advance(SweepMemo.Grace);
        await sweep.SweepAsync(live, ct);
        await DrainRefundsAsync(h);
        Assert.Equal([40m], CreditNotes(h).Select(n => n.Document.Amount));
    }

    [Fact]
    public async Task Lost_response_of_the_create_is_recovered_by_reference_without_a_second_credit_note()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        await InvoiceAsync(h, 8106);
        h.Sandbox.State.Centra.AddRefund(8106, "RFD-8106", 120m);

        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v2/customerCreditNote";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<Exception>(() => HandleAsync(h, 8106, "first"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0.0;
        var row = (await RefundRowAsync(h, "RFD-8106"))!;
        Assert.Equal(nameof(RefundPhase.CreditNoteCreateAttempted), row.Phase); // persisted before the create

        var second = await HandleAsync(h, 8106, "second");
        Assert.Equal(SyncOutcome.AlreadyDone, second.Outcome); // found by its reference, not created again
        Assert.Single(CreditNotes(h));
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote"));
        Assert.Equal("Closed", CreditNotes(h).Single().Document.Status);
        Assert.Equal(LedgerStatus.Done, (await RefundRowAsync(h, "RFD-8106"))!.Status);
    }

    [Fact]
    public async Task Storage_wipe_and_replay_make_no_second_credit_note()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        await InvoiceAsync(h, 8107);
        h.Sandbox.State.Centra.AddRefund(8107, "RFD-8107", 90m);
        Assert.Equal(1, (await HandleAsync(h, 8107)).CreditNotes);

        await h.WipeStorageAsync();
        Assert.Null(await RefundRowAsync(h, "RFD-8107"));
        var replay = await HandleAsync(h, 8107, "after-wipe");

        Assert.Equal(SyncOutcome.AlreadyDone, replay.Outcome);
        Assert.Single(CreditNotes(h));
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote"));
        Assert.Equal(LedgerStatus.Done, (await RefundRowAsync(h, "RFD-8107"))!.Status);
    }

    [Fact]
    public async Task Refund_larger_than_what_is_left_on_the_invoice_is_refused_with_REFUND_EXCEEDS_INVOICE()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        var invoice = await InvoiceAsync(h, 8108);
        h.Sandbox.State.Centra.AddRefund(8108, "RFD-8108-a", 700m);
        h.Sandbox.State.Centra.AddRefund(8108, "RFD-8108-b", 100m); // 800 > 746

        var result = await HandleAsync(h, 8108);

        Assert.Equal(SyncOutcome.Failed, result.Outcome);
        Assert.Equal(1, result.CreditNotes);
        Assert.Equal(1, result.Failed);
        Assert.Single(CreditNotes(h));
        var row = (await RefundRowAsync(h, "RFD-8108-b"))!;
        Assert.Equal(LedgerStatus.Failed, row.Status);
        Assert.Equal(ErrorCodes.RefundExceedsInvoice, row.ErrorCode);
        Assert.Contains("54.00 too much", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.RefundExceedsInvoice && e.Fix is not null);
        Assert.Equal(invoice.Amount - 700m, Invoice(h, 8108).Balance);

        // A redelivery does not try it again.
        Assert.Equal(SyncOutcome.Failed, (await HandleAsync(h, 8108, "again")).Outcome);
        Assert.Single(CreditNotes(h));
    }

    [Fact]
    public async Task Refund_before_the_invoice_exists_waits_with_REFUND_INVOICE_NOT_FOUND_and_is_booked_once_it_exists()
    {
        var (h, _) = await StartAsync(azurite, s => s with { UnmatchedRetryMinutes = 30 });
        await using var _ = h;
        h.AddOrder(DemoData.SwedishOrder(8109)); // in Centra, not invoiced yet
        h.Sandbox.State.Centra.AddRefund(8109, "RFD-8109", 50m);

        var early = await HandleAsync(h, 8109);

        Assert.Equal(SyncOutcome.Requeued, early.Outcome);
        Assert.Equal(ErrorCodes.RefundInvoiceNotFound, early.ErrorCode);
        Assert.Empty(CreditNotes(h));
        var row = (await RefundRowAsync(h, "RFD-8109"))!;
        Assert.Equal(LedgerStatus.Pending, row.Status); // kept, not lost
        Assert.Equal(ErrorCodes.RefundInvoiceNotFound, row.ErrorCode);
        Assert.True(row.Facts.ContainsKey(RefundSyncHandler.FirstSeenFact));
        Assert.Equal(1, await h.QueueLengthAsync(RefundSyncFunction.Queue) + await InvisibleAsync(h)); // re-queued with a delay
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.RefundInvoiceNotFound);

        await h.SweepAsync();
        await h.DrainAsync(); // the order flow invoices it
        var booked = await HandleAsync(h, 8109, "retry");

        Assert.Equal(SyncOutcome.Done, booked.Outcome);
        Assert.Equal(50m, Assert.Single(CreditNotes(h)).Document.Amount);
        Assert.Equal(LedgerStatus.Done, (await RefundRowAsync(h, "RFD-8109"))!.Status);
    }

    [Fact]
    public async Task Refund_in_another_currency_than_the_invoice_is_refused_with_REFUND_CURRENCY_MISMATCH()
    {
        var (h, _) = await StartAsync(azurite);
        await using var _ = h;
        await InvoiceAsync(h, 8110);
        h.Sandbox.State.Centra.AddRefund(8110, "RFD-8110", 10m, currency: "EUR");

        var result = await HandleAsync(h, 8110);

        Assert.Equal(SyncOutcome.Failed, result.Outcome);
        Assert.Empty(CreditNotes(h));
        var row = (await RefundRowAsync(h, "RFD-8110"))!;
        Assert.Equal(ErrorCodes.RefundCurrencyMismatch, row.ErrorCode);
        Assert.Contains("EUR", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, h.Sandbox.State.Stats.Count("visma POST /v2/customerCreditNote"));
    }

    [Fact]
    public async Task Orders_without_refunds_and_integrations_without_shop_refunds_book_nothing()
    {
        var (h, _) = await StartAsync(azurite, s => s with { ShopRefunds = false });
        await using var _ = h;
        await InvoiceAsync(h, 8111);
        h.Sandbox.State.Centra.AddRefund(8111, "RFD-8111", 10m);
        Assert.Equal(SyncOutcome.Skipped, (await HandleAsync(h, 8111)).Outcome);
        var body = EngineHarness.WebhookBody("update", 8111);
        await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(0, await h.QueueLengthAsync(RefundSyncFunction.Queue));
        Assert.Empty(CreditNotes(h));
    }

    [Fact]
    public async Task A_payout_refund_on_a_mixed_rate_invoice_credits_each_VAT_rate_in_proportion_to_the_amount()
    {
        // Adyen, Klarna and Stripe name no invoice lines for a refund (amounts only), nor does Centra's REFUND entry:
        // the credit note spreads the refund over the invoice's VAT rates in proportion (CreditNotes.Draft). Pinned here
        // per rate on the demo's 25 % + 12 % invoice for a quarter refund.
        var (h, psp) = await StartAsync(azurite);
        await using var _ = h;
        var invoice = await InvoiceAsync(h, 8113);
        Assert.Equal(746.00m, invoice.Amount);
        var rates = invoice.TaxDetails.Select(t => t.VatRate).Order().ToList();
        Assert.Equal(MixedRates, rates);
        var date = DateOnly.FromDateTime(h.Sandbox.State.Clock.GetUtcNow().UtcDateTime).AddDays(2);
        PayoutLine[] lines =
        [
            new() { TransactionId = "cap_8113", Kind = PayoutLineKind.Sale, Reference = "NT-8113", Gross = invoice.Amount, Fee = 0m, Currency = "SEK" },
            new() { TransactionId = "rf_8113", Kind = PayoutLineKind.Refund, Reference = "NT-8113", Gross = -186.50m, Fee = 0m, Currency = "SEK" },
        ];
        psp.Add(new Payout { Provider = Adyen, PayoutId = "batch-vat", Currency = "SEK", Total = lines.Sum(l => l.Net), Date = date, CreatedAt = DateTimeOffset.UtcNow, Lines = lines });
        var result = await h.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(h.Integration.Id, Adyen, "batch-vat", WorkReasons.Replay, "c-vat", DateTimeOffset.UtcNow), "t", TestContext.Current.CancellationToken);
        Assert.Equal(SyncOutcome.Done, result.Outcome);

        var note = Assert.Single(CreditNotes(h)).Document;
        Assert.Equal(186.50m, note.Amount);
        Assert.Equal(invoice.VatZoneId, note.VatZoneId);
        foreach (var rate in rates)
        {
            var of = invoice.TaxDetails.Single(t => t.VatRate == rate);
            var credited = note.TaxDetails.Single(t => t.VatRate == rate);
            Assert.Equal(of.TaxId, credited.TaxId);
            Assert.Equal(Math.Round(of.VatAmount / 4m, 2, MidpointRounding.AwayFromZero), credited.VatAmount);
            var quarter = Math.Round(of.TaxableAmount / 4m, 2, MidpointRounding.AwayFromZero);
            Assert.InRange(credited.TaxableAmount, quarter - 0.01m, quarter + 0.01m); // the rounding cent goes on the largest line's net
            var expected = Math.Round(credited.TaxableAmount * rate / 100m, 2);
            Assert.InRange(credited.VatAmount, expected - 0.02m, expected + 0.02m); // the rate holds on the credited base
        }

        Assert.Equal(186.50m, note.DetailTotal + note.VatTotal);

        // By hand: 25 %: 114.39 × 0.25 = 28.60 (the net carries the rounding cent); 12 %: 38.85 × 0.12 = 4.66;
        // 114.39 + 28.60 + 38.85 + 4.66 = 186.50, a quarter of 746.00.
        Assert.Equal((114.39m, 28.60m), note.TaxDetails.Where(t => t.VatRate == 25m).Select(t => (t.TaxableAmount, t.VatAmount)).Single());
        Assert.Equal((38.85m, 4.66m), note.TaxDetails.Where(t => t.VatRate == 12m).Select(t => (t.TaxableAmount, t.VatAmount)).Single());
    }

    [Theory]
    [InlineData(ChargebackHandling.CreditNote)]
    [InlineData(ChargebackHandling.ReportOnly)]
    public async Task Chargeback_is_booked_per_setting_and_always_reported_with_PAYOUT_CHARGEBACK(ChargebackHandling handling)
    {
        var (h, psp) = await StartAsync(azurite, s => s with { ChargebackHandling = handling });
        await using var _ = h;
        var invoice = await InvoiceAsync(h, 8112);
        var date = DateOnly.FromDateTime(h.Sandbox.State.Clock.GetUtcNow().UtcDateTime).AddDays(2);
        PayoutLine[] lines =
        [
            new() { TransactionId = "cap_8112", Kind = PayoutLineKind.Sale, Reference = "NT-8112", Gross = invoice.Amount, Fee = 2m, Currency = "SEK" },
            new() { TransactionId = "cb_8112", Kind = PayoutLineKind.Chargeback, Reference = "NT-8112", Gross = -146m, Fee = 0m, Currency = "SEK" },
        ];
        psp.Add(new Payout { Provider = Adyen, PayoutId = "batch-cb", Currency = "SEK", Total = lines.Sum(l => l.Net), Date = date, CreatedAt = DateTimeOffset.UtcNow, Lines = lines });

        var result = await h.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(h.Integration.Id, Adyen, "batch-cb", WorkReasons.Replay, "c-cb", DateTimeOffset.UtcNow), "t", TestContext.Current.CancellationToken);

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        var reported = Assert.Single(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.PayoutChargeback);
        Assert.Contains("cb_8112", reported.Message, StringComparison.Ordinal);
        if (handling == ChargebackHandling.CreditNote)
        {
            Assert.Equal(146m, Assert.Single(CreditNotes(h)).Document.Amount);
            Assert.Equal(0m, Invoice(h, 8112).Balance);
        }
        else
        {
            Assert.Empty(CreditNotes(h));
            Assert.Equal(146m, Invoice(h, 8112).Balance); // the disputed amount stays open for the operator
        }
    }

    private static async Task<int> InvisibleAsync(EngineHarness h)
    {
        var props = await h.Queue(RefundSyncFunction.Queue).GetPropertiesAsync(TestContext.Current.CancellationToken);
        return props.Value.ApproximateMessagesCount - await h.QueueLengthAsync(RefundSyncFunction.Queue);
    }
}
