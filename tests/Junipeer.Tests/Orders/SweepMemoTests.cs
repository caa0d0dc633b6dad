using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>
/// A sweep that runs while a backlog drains must not enqueue every unfinished order again on every run
/// (the 500-order chaos run spent its time on those duplicates); it must still enqueue again after the
/// grace period, after a wipe, and whatever changed. Azurite + the Centra emulator, fake time.
/// </summary>
public class SweepMemoTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Repeated_sweeps_enqueue_an_unfinished_order_once_per_grace_period_and_again_after_it()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        foreach (var n in new[] { 6101, 6102, 6103 })
        {
            h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(n));
        }

        var sweep = h.Services.GetRequiredService<OrderSweepHandler>();
        var first = await sweep.SweepAsync(h.Integration, Ct);
        Assert.Equal(3, first.Enqueued);

        // The next runs (every few seconds, the overlap window reads the same orders) find them still queued.
        for (var run = 0; run < 5; run++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            var again = await sweep.SweepAsync(h.Integration, Ct);
            Assert.Equal(0, again.Enqueued);
            Assert.Equal(3, again.StillQueued);
        }

        Assert.Equal(3, await h.QueueLengthAsync(StorageNames.OrdersQueue)); // was 18 before the memo

        // Past the grace period the sweep enqueues again (a safety net for whatever it cannot see).
        time.Advance(SweepMemo.Grace);
        Assert.Equal(3, (await sweep.SweepAsync(h.Integration, Ct)).Enqueued);

        await h.DrainAsync();
        Assert.Equal(3, h.Invoices.Count);
        var done = await sweep.SweepAsync(h.Integration, Ct);
        Assert.Equal((0, 0, 3), (done.Enqueued, done.StillQueued, done.AlreadyDone));
    }

    [Fact]
    public async Task A_wiped_ledger_ends_the_memo_and_the_next_sweep_enqueues_everything_again()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(6201));
        var sweep = h.Services.GetRequiredService<OrderSweepHandler>();
        Assert.Equal(1, (await sweep.SweepAsync(h.Integration, Ct)).Enqueued);

        // Storage lost with the process still running: the queue message went with it.
        await h.WipeStorageAsync();
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, (await sweep.SweepAsync(h.Integration, Ct)).Enqueued);
        await h.DrainAsync();
        Assert.Single(h.Invoices);
    }

    [Fact]
    public async Task A_failed_order_that_changed_is_enqueued_even_within_the_grace_period()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(6301));
        var sweep = h.Services.GetRequiredService<OrderSweepHandler>();
        Assert.Equal(1, (await sweep.SweepAsync(h.Integration, Ct)).Enqueued);

        // The order fails for a reason that needs a fix (an unmapped country), then the shop corrects it.
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        var key = new LedgerKey(h.Integration.Id, Flows.Orders, "6301");
        await ledger.SaveAsync(new LedgerEntry { Key = key, Status = LedgerStatus.Failed, ErrorCode = "OSS_COUNTRY_TAX_MAPPING_MISSING", UpdatedAt = time.GetUtcNow() }, Ct);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, (await sweep.SweepAsync(h.Integration, Ct)).Enqueued); // no shopUpdatedAt fact: counts as changed
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }
}
