using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Orders;

public sealed record SweepResult(int Integrations, int Seen, int Enqueued, int AlreadyDone, int Failed);

/// <summary>
/// The fallback schedule: webhooks are hints, this guarantees nothing is missed. For each
/// integration with the orders flow on, asks the shop for orders changed since the checkpoint minus
/// an overlap window, enqueues those not already invoiced, and advances the checkpoint only after
/// every enqueue succeeded.
/// </summary>
public sealed class OrderSweepHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    ICheckpointStore checkpoints,
    ISyncLedger ledger,
    IWorkQueue queue,
    IInbox inbox,
    TimeProvider time,
    ILogger<OrderSweepHandler> logger)
{
    /// <summary>Without a checkpoint or SyncFrom, the first sweep looks back this far.</summary>
    public static readonly TimeSpan DefaultBackfill = TimeSpan.FromDays(7);

    public async Task<SweepResult> RunAsync(CancellationToken ct)
    {
        int count = 0, seen = 0, enqueued = 0, done = 0, failed = 0;
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Orders.Enabled)
            {
                continue;
            }

            count++;
            try
            {
                var r = await SweepAsync(integration, ct);
                seen += r.Seen;
                enqueued += r.Enqueued;
                done += r.AlreadyDone;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One integration's outage must not stop the others; its checkpoint stays put.
                failed++;
                logger.LogError(ex, "Order sweep failed for integration {IntegrationId}", integration.Id);
            }
        }

        return new SweepResult(count, seen, enqueued, done, failed);
    }

    public async Task<SweepResult> SweepAsync(Integration integration, CancellationToken ct)
    {
        var correlationId = $"sweep-{Guid.NewGuid():N}";
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["IntegrationId"] = integration.Id });
        var checkpoint = await checkpoints.GetAsync(integration.Id, Flows.Orders, ct)
                         ?? integration.Orders.SyncFrom
                         ?? time.GetUtcNow() - DefaultBackfill;
        var from = checkpoint - TimeSpan.FromMinutes(integration.Orders.SweepOverlapMinutes);
        var high = checkpoint;
        int seen = 0, enqueued = 0, done = 0, unchanged = 0;
        await foreach (var order in shop.GetOrdersChangedSinceAsync(integration, from, ct))
        {
            seen++;
            var entry = await ledger.GetAsync(new LedgerKey(integration.Id, Flows.Orders, order.OrderNumber), ct);
            if (entry?.Status == LedgerStatus.Done)
            {
                done++;
            }
            else if (entry?.Status is LedgerStatus.Failed or LedgerStatus.Skipped && entry.UpdatedAt >= order.UpdatedAt)
            {
                // Failed or filtered, and the order has not changed since: retrying would fail the
                // same way. The operator retries after the fix (`junipeer replay`); an order change
                // brings it back by itself.
                unchanged++;
            }
            else
            {
                await queue.EnqueueAsync(
                    WorkItem.ForOrder(integration.Id, order.OrderNumber, WorkReasons.Sweep, $"{correlationId}-{order.OrderNumber}", time.GetUtcNow()), null, ct);
                enqueued++;
            }

            if (order.UpdatedAt > high)
            {
                high = order.UpdatedAt;
            }
        }

        if (high > checkpoint)
        {
            await checkpoints.SetAsync(integration.Id, Flows.Orders, high, ct);
        }

        var purged = await inbox.PurgeAsync(integration.Id, InboxSources.CentraWebhook, time.GetUtcNow() - InboxSources.Retention, ct);
        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} webhook dedupe rows older than {Days} days", purged, InboxSources.Retention.TotalDays);
        }

        logger.LogInformation("Order sweep for {IntegrationId} from {From}: {Seen} changed, {Enqueued} enqueued, {Done} already invoiced, {Unchanged} failed/skipped and unchanged",
            integration.Id, from, seen, enqueued, done, unchanged);
        return new SweepResult(1, seen, enqueued, done, 0);
    }
}
