using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Refunds;

/// <summary>What one refund sweep did.</summary>
public sealed record RefundSweepResult(int Integrations, int Seen, int Enqueued, int Errors);

/// <summary>
/// The fallback for refunds whose Centra webhook never came: per integration with <c>payouts.enabled</c>
/// and <c>payouts.shopRefunds</c>, every order Centra reports as changed since the checkpoint (flow
/// <c>shop-refunds</c>) − <c>orders.sweepOverlapMinutes</c> (a refund bumps the order's updatedAt) and owned by
/// the integration is enqueued on queue <c>refunds</c>; the refund handler reads it and writes nothing
/// for an order without refunds or whose refunds are booked. Centra's order filter cannot select orders
/// with a REFUND entry, so the cost is one order read per changed order version (a version enqueued by an
/// earlier run is not enqueued again within <see cref="SweepMemo.Grace"/>). The checkpoint is saved
/// per page, after every enqueue of the page succeeded. Run by the payout timer (<c>PayoutSweep</c>):
/// refunds are part of the payouts flow's settings and need no schedule of their own.
/// </summary>
public sealed class RefundSweepHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    ICheckpointStore checkpoints,
    ISyncLedger ledger,
    IWorkQueue queue,
    TimeProvider time,
    ILogger<RefundSweepHandler> logger)
{
    public const string CheckpointFlow = RefundSyncHandler.ShopRefundsFlow;

    private readonly SweepMemo _memo = new(time);

    public async Task<RefundSweepResult> RunAsync(CancellationToken ct)
    {
        int count = 0, seen = 0, enqueued = 0, errors = 0;
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Payouts.Enabled || !integration.Payouts.ShopRefunds || integration.Shop.Centra is null)
                continue;
            count++;
            try
            {
                var r = await SweepAsync(integration, ct);
                seen += r.Seen;
                enqueued += r.Enqueued;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors++;
                logger.LogError(ex, "Refund sweep failed for integration {IntegrationId}", integration.Id);
            }
        }

        return new RefundSweepResult(count, seen, enqueued, errors);
    }

    public async Task<RefundSweepResult> SweepAsync(Integration integration, CancellationToken ct)
    {
        var correlation = $"rsweep-{Guid.NewGuid():N}";
        var started = time.GetUtcNow();
        // Shadow mode keeps its own cursor, so going live starts from the cut-over date, not where the shadow run stopped.
        var flow = integration.Mode == IntegrationMode.Shadow ? CheckpointFlow + "-shadow" : CheckpointFlow;
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct) ?? (integration.Mode == IntegrationMode.Live ? integration.CutOverDate : null) ?? integration.Orders.SyncFrom ?? started;
        var from = checkpoint - TimeSpan.FromMinutes(integration.Orders.SweepOverlapMinutes);
        int seen = 0, enqueued = 0;
        var memo = await _memo.BeginRunAsync(integration, ledger, TimeSpan.FromMinutes(integration.Orders.SweepOverlapMinutes), ct); // live only
        await foreach (var page in shop.GetOrdersChangedSinceAsync(integration, from, ct))
        {
            foreach (var order in page.Orders)
            {
                seen++;
                if (!OrderOwnership.Owns(integration, order))
                    continue;
                // The same version of the order, enqueued by an earlier run and still within the grace period:
                // its refunds check is on the queue (a new refund bumps updatedAt and makes a new version).
                var version = new LedgerKey(integration.Id, CheckpointFlow, $"{order.OrderNumber}@{order.UpdatedAt.UtcTicks}");
                if (memo.StillQueued(version, null, order.UpdatedAt))
                    continue; // kept in the window until the memo lets this version be enqueued again

                await queue.EnqueueAsync(WorkItem.ForRefunds(integration.Id, order.OrderNumber, WorkReasons.Sweep, $"{correlation}-{order.OrderNumber}", time.GetUtcNow()), null, ct);
                memo.Enqueued(version);
                enqueued++;
            }

            var next = memo.Capped(page.Checkpoint);
            if (next > checkpoint)
            {
                await checkpoints.SetAsync(integration.Id, flow, next, ct);
                checkpoint = next;
            }
        }

        logger.LogInformation("Refund sweep for {IntegrationId} from {From}: {Seen} changed orders, {Enqueued} enqueued on refunds, {StillQueued} unchanged since an earlier run enqueued them",
            integration.Id, from, seen, enqueued, memo.StillQueuedCount);
        return new RefundSweepResult(1, seen, enqueued, 0);
    }
}
