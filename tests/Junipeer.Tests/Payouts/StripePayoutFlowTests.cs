using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Stripe;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts;

/// <summary>
/// Stripe payouts end to end on real parts: invoices made by the order flow in the Visma emulator,
/// the payout seeded in the Stripe emulator and read over HTTP, signals through the webhook function,
/// the PayoutSweep timer and a replay, the ledger on Azurite.
/// </summary>
public class StripePayoutFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Webhook_timer_and_replay_book_one_payment_per_customer_a_refund_once_and_a_storage_wipe_books_nothing_more()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var ct = TestContext.Current.CancellationToken;
        var inv = await k.InvoicesAsync((7101, "anna@example.se"), (7102, "anna@example.se"), (7103, "bo@example.se"));
        long M(decimal d) => StripeKit.Minor(d);
        var id = await k.SeedAsync(
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7101].Amount), Fee = 1250, OrderReference = "NT-7101" },
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7102].Amount), Fee = 725, OrderReference = "NT-7102" },
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7103].Amount), Fee = 310, OrderReference = "NT-7103" },
            new StripeTransactionSeed { Type = "refund", Amount = -10000, OrderReference = "NT-7103" },
            new StripeTransactionSeed { Type = "charge", Amount = 19900, Fee = 500, OrderReference = "NT-9999" }, // no such order
            new StripeTransactionSeed { Type = "stripe_fee", Amount = -1500 });

        // Three signals for one payout: the PSP's webhook, the timer, an operator's replay.
        var e = await k.EventAsync(id);
        Assert.Equal(202, (await k.PostAsync(e.Body, e.Signature)).Status);
        await k.SweepAsync();
        await k.H.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(
            WorkItem.ForPayout(k.H.Integration.Id, PayoutProviders.Stripe, id, WorkReasons.Replay, "replay-1", DateTimeOffset.UtcNow), null, ct);
        Assert.Equal(3, await k.DrainAsync());

        // One payment per customer, applied to their invoices, fees written off; the refund one credit note.
        Assert.Equal(2, k.H.Payments.Count);
        Assert.Equal(2, k.H.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        var anna = k.H.Payments.Single(p => p.CustomerNumber == inv[7101].CustomerNumber);
        Assert.Equal(inv[7101].Amount - 12.50m + inv[7102].Amount - 7.25m, anna.PaymentAmount);
        Assert.Equal(12.50m, anna.Lines.Single(l => l.RefNbr == inv[7101].ReferenceNumber).BalanceWriteOff);
        var note = Assert.Single(k.H.Sandbox.State.Visma.CreditNotes(k.H.Tenant));
        Assert.Equal(100m, note.Document.Amount);
        Assert.Equal(inv[7103].ReferenceNumber, Assert.Single(note.Applications).RefNbr);
        var bo = k.H.Payments.Single(p => p.CustomerNumber == inv[7103].CustomerNumber);
        Assert.Equal(inv[7103].Amount - 100m - 3.10m, bo.PaymentAmount);
        Assert.All(k.H.Invoices, i => Assert.Equal(0m, i.Balance));

        // The unmatched sale is reported and keeps the payout pending (retried later), nothing else blocked.
        var row = (await k.PayoutRowAsync(id))!;
        Assert.Equal(LedgerStatus.Pending, row.Status);
        Assert.Equal(ErrorCodes.PayoutInvoiceNotFound, row.ErrorCode);
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);

        // Storage lost: the webhook comes again; payments and credit note are found in Visma, none made twice.
        await k.H.WipeStorageAsync();
        await k.H.Services.GetRequiredService<Junipeer.Core.Integrations.IIntegrationStore>().SaveAsync(k.Integration, ct);
        var again = await k.EventAsync(id);
        Assert.Equal(202, (await k.PostAsync(again.Body, again.Signature)).Status);
        await k.DrainAsync();
        Assert.Equal(2, k.H.Payments.Count);
        Assert.Equal(2, k.H.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        Assert.Single(k.H.Sandbox.State.Visma.CreditNotes(k.H.Tenant));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task The_timer_enqueues_only_payouts_not_booked_and_keeps_a_checkpoint_per_PSP()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var ct = TestContext.Current.CancellationToken;
        var inv = await k.InvoicesAsync((7111, "sweep@example.se"));
        var id = await k.SeedAsync(new StripeTransactionSeed { Type = "charge", Amount = StripeKit.Minor(inv[7111].Amount), Fee = 200, OrderReference = "NT-7111" });

        var sweep = k.H.Services.GetRequiredService<PayoutSweepHandler>();
        var first = await sweep.RunAsync(ct);
        Assert.Equal((1, 1, 1), (first.Providers, first.Seen, first.Enqueued));
        await k.DrainAsync();
        Assert.Equal(LedgerStatus.Done, (await k.PayoutRowAsync(id))!.Status);
        var checkpoint = await k.H.Services.GetRequiredService<ICheckpointStore>().GetAsync(k.H.Integration.Id, PayoutSweepHandler.CheckpointFlow(PayoutProviders.Stripe), ct);
        Assert.NotNull(checkpoint);

        // Next run: the payout is still in the overlap window but booked, so nothing is enqueued.
        var second = await sweep.RunAsync(ct);
        Assert.Equal((1, 0, 1), (second.Seen, second.Enqueued, second.AlreadyDone));
        Assert.Equal(0, await k.DrainAsync());
        Assert.Single(k.H.Payments);
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }
}
