using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Klarna;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Klarna;

/// <summary>
/// Klarna payouts end to end on real parts: invoices made by the order flow in the Visma emulator, the
/// payout seeded in the Klarna emulator and read over HTTP, the PayoutSweep timer (Klarna has no payout
/// notification) and a replay, the ledger on Azurite.
/// </summary>
public class KlarnaPayoutFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Timer_twice_and_a_replay_book_one_payment_per_customer_with_fees_and_a_storage_wipe_books_nothing_more()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var ct = TestContext.Current.CancellationToken;
        var inv = await k.InvoicesAsync((7201, "karin@example.se"), (7202, "karin@example.se"), (7203, "lars@example.se"));
        long M(decimal d) => KlarnaKit.Minor(d);
        var id = await k.SeedAsync(
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7201].Amount), Reference = "NT-7201" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 1450, Reference = "NT-7201" },
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7202].Amount), Reference = "NT-7202" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 890, Reference = "NT-7202" },
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7203].Amount), Reference = "NT-7203" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 600, Reference = "NT-7203" },
            new KlarnaTransactionSeed { Type = "RETURN", Amount = 10000, Reference = "NT-7203" });

        // Three signals for one payout: the timer, the timer again, an operator's replay.
        await k.SweepAsync();
        await k.SweepAsync();
        await k.H.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(
            WorkItem.ForPayout(k.H.Integration.Id, PayoutProviders.Klarna, id, WorkReasons.Replay, "replay-1", DateTimeOffset.UtcNow), null, ct);
        Assert.Equal(3, await k.DrainAsync());

        // One payment per customer, applied to their invoices, fees written off; the return one credit note.
        Assert.Equal(2, k.H.Payments.Count);
        Assert.Equal(2, k.H.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        var karin = k.H.Payments.Single(p => p.CustomerNumber == inv[7201].CustomerNumber);
        Assert.Equal(inv[7201].Amount - 14.50m + inv[7202].Amount - 8.90m, karin.PaymentAmount);
        Assert.Equal(14.50m, karin.Lines.Single(l => l.RefNbr == inv[7201].ReferenceNumber).BalanceWriteOff);
        Assert.Equal(8.90m, karin.Lines.Single(l => l.RefNbr == inv[7202].ReferenceNumber).BalanceWriteOff);
        var note = Assert.Single(k.H.Sandbox.State.Visma.CreditNotes(k.H.Tenant));
        Assert.Equal(100m, note.Document.Amount);
        var lars = k.H.Payments.Single(p => p.CustomerNumber == inv[7203].CustomerNumber);
        Assert.Equal(inv[7203].Amount - 100m - 6.00m, lars.PaymentAmount);
        Assert.All(k.H.Invoices, i => Assert.Equal(0m, i.Balance));
        Assert.Equal(LedgerStatus.Done, (await k.PayoutRowAsync(id))!.Status);

        // Storage lost: the timer runs again (no checkpoint: it looks back one overlap) and finds the payout;
        // the payments and the credit note are found in Visma, none made twice.
        await k.H.WipeStorageAsync();
        await k.H.Services.GetRequiredService<IIntegrationStore>().SaveAsync(k.Integration, ct);
        await k.SweepAsync();
        Assert.Equal(1, await k.DrainAsync());
        Assert.Equal(2, k.H.Payments.Count);
        Assert.Equal(2, k.H.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        Assert.Single(k.H.Sandbox.State.Visma.CreditNotes(k.H.Tenant));
        Assert.Equal(LedgerStatus.Done, (await k.PayoutRowAsync(id))!.Status);
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task The_timer_keeps_a_checkpoint_for_Klarna_and_skips_booked_payouts()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var ct = TestContext.Current.CancellationToken;
        var inv = await k.InvoicesAsync((7211, "sweep.k@example.se"));
        var id = await k.SeedAsync(new KlarnaTransactionSeed { Type = "SALE", Amount = KlarnaKit.Minor(inv[7211].Amount), Reference = "NT-7211" });

        var sweep = k.H.Services.GetRequiredService<PayoutSweepHandler>();
        var first = await sweep.RunAsync(ct);
        Assert.Equal((1, 1, 1), (first.Providers, first.Seen, first.Enqueued));
        await k.DrainAsync();
        Assert.Equal(LedgerStatus.Done, (await k.PayoutRowAsync(id))!.Status);
        Assert.NotNull(await k.H.Services.GetRequiredService<ICheckpointStore>().GetAsync(k.H.Integration.Id, PayoutSweepHandler.CheckpointFlow(PayoutProviders.Klarna), ct));

        var second = await sweep.RunAsync(ct);
        Assert.Equal((1, 0, 1), (second.Seen, second.Enqueued, second.AlreadyDone));
        Assert.Single(k.H.Payments);
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task A_payout_whose_lines_do_not_add_up_is_held_with_the_difference()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var inv = await k.InvoicesAsync((7221, "held.k@example.se"));
        var id = await k.SeedAsync(new KlarnaPayoutSeed
        {
            SettlementAmount = KlarnaKit.Minor(inv[7221].Amount) - 500, // Klarna paid 5.00 less than its transactions say
            Transactions = [new() { Type = "SALE", Amount = KlarnaKit.Minor(inv[7221].Amount), Reference = "NT-7221" }],
        });
        await k.H.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(
            WorkItem.ForPayout(k.H.Integration.Id, PayoutProviders.Klarna, id, WorkReasons.Replay, "replay-2", DateTimeOffset.UtcNow), null, TestContext.Current.CancellationToken);
        await k.DrainAsync();

        var row = (await k.PayoutRowAsync(id))!;
        Assert.Equal(ErrorCodes.PayoutTotalMismatch, row.ErrorCode);
        Assert.Contains("difference -5.00", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(k.H.Payments);
    }
}
