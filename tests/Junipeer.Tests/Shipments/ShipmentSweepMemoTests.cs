using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shipments;

/// <summary>
/// The shipment sweep's memo (SweepMemo) may delay a shipment whose message was consumed without a
/// ledger row, never lose it: the checkpoint keeps it in the overlap window until the grace ends.
/// Azurite + the Sandbox, fake engine and vendor clocks.
/// </summary>
public class ShipmentSweepMemoTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shipment_consumed_without_a_row_while_remembered_is_enqueued_again_before_it_leaves_the_sweep_window()
    {
        var vendor = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        var engine = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var k = await ShipmentKit.StartAsync(azurite, sandboxTime: vendor, engineTime: engine);
        var store = k.H.Services.GetRequiredService<IIntegrationStore>();
        var sweep = k.H.Services.GetRequiredService<ShipmentSweepHandler>();
        var live = k.Integration;
        var first = k.Seed(7701);
        k.Confirm(first);
        Assert.Equal(1, (await sweep.SweepAsync(live, Ct)).Enqueued);

        // The operator pauses shipments; the queued message is consumed (FLOW_DISABLED, no row); shipments resume.
        await store.SaveAsync(live with { Shipments = live.Shipments with { Enabled = false } }, Ct);
        await k.DrainAsync();
        Assert.Null(await k.LedgerAsync(first));
        await store.SaveAsync(live, Ct);

        // A shipment confirmed 20 minutes later moves the checkpoint on while the first is remembered as queued.
        vendor.Advance(TimeSpan.FromMinutes(20));
        var second = k.Seed(7702);
        k.Confirm(second);
        engine.Advance(TimeSpan.FromMinutes(1));
        var run = await sweep.SweepAsync(live, Ct);
        Assert.Equal((1, 1), (run.Enqueued, run.StillQueued));

        // Past the grace period the sweep must still see the first shipment and enqueue it.
        engine.Advance(SweepMemo.Grace);
        await sweep.SweepAsync(live, Ct);
        await k.DrainAsync();
        Assert.Equal(LedgerStatus.Done, (await k.LedgerAsync(first))?.Status);
        Assert.Equal(1, k.BookingsFor(first));
        Assert.Equal(1, k.BookingsFor(second));
    }
}
