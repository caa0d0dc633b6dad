using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Orders;

public sealed record SweepResult(int Integrations, int Seen, int Enqueued, int AlreadyDone, int Failed)
{
    /// <summary>Unfinished orders not enqueued again because this process enqueued them within <see cref="SweepMemo.Grace"/>.</summary>
    public int StillQueued { get; init; }
}

/// <summary>
/// The fallback schedule: webhooks are hints, this guarantees nothing is missed. For each
/// integration with the orders flow on, asks the shop for orders changed since the checkpoint minus
/// an overlap window, page by page (keyset on updatedAt, see the connector), enqueues the owned ones
/// not already invoiced, and persists the page's checkpoint after every enqueue of that page succeeded.
/// </summary>
public sealed class OrderSweepHandler(
    IIntegrationStore integrations,
    IShopOrderSource shop,
    ICheckpointStore checkpoints,
    ISyncLedger ledger,
    IWorkQueue queue,
    IInbox inbox,
    TimeProvider time,
    ILogger<OrderSweepHandler> logger,
    OperatorAlerts alerts)
{
    private readonly SweepMemo _memo = new(time);

    /// <summary>Without a checkpoint or SyncFrom, the first sweep looks back this far.</summary>
    public static readonly TimeSpan DefaultBackfill = TimeSpan.FromDays(7);

    public async Task<SweepResult> RunAsync(CancellationToken ct)
    {
        int count = 0, seen = 0, enqueued = 0, done = 0, failed = 0, queued = 0;
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
                queued += r.StillQueued;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One integration's outage must not stop the others; its checkpoint stays put.
                failed++;
                logger.LogError(ex, "Order sweep failed for integration {IntegrationId}", integration.Id);
                await alerts.SweepFailedAsync(integration.Id, Flows.Orders, "orders-sweep", "orders", ex);
            }
        }

        return new SweepResult(count, seen, enqueued, done, failed) { StillQueued = queued };
    }

    public async Task<SweepResult> SweepAsync(Integration integration, CancellationToken ct)
    {
        var correlationId = $"sweep-{Guid.NewGuid():N}";
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["IntegrationId"] = integration.Id });
        // Shadow mode keeps its own cursor, so going live later starts from the cut-over date, not
        // from where the shadow run stopped; a live start never begins before the cut-over date.
        var cursor = CheckpointFlow(integration);
        var start = integration.Mode == IntegrationMode.Live && integration.CutOverDate is { } cutOver && (integration.Orders.SyncFrom is not { } syncFrom || cutOver > syncFrom)
            ? cutOver
            : integration.Orders.SyncFrom;
        var checkpoint = await checkpoints.GetAsync(integration.Id, cursor, ct)
                         ?? start
                         ?? time.GetUtcNow() - DefaultBackfill;
        var from = checkpoint - TimeSpan.FromMinutes(integration.Orders.SweepOverlapMinutes);
        int seen = 0, enqueued = 0, done = 0, unchanged = 0, foreign = 0;
        var memo = await _memo.BeginRunAsync(integration, ledger, TimeSpan.FromMinutes(integration.Orders.SweepOverlapMinutes), ct); // live only
        await foreach (var page in shop.GetOrdersChangedSinceAsync(integration, from, ct))
        {
            foreach (var order in page.Orders)
            {
                seen++;
                if (!OrderOwnership.Owns(integration, order))
                {
                    // Another integration on the same store owns it (CentraSettings.OrderFilter).
                    foreign++;
                    continue;
                }

                var key = new LedgerKey(integration.Id, Flows.Orders, order.OrderNumber);
                var entry = await ledger.GetAsync(key, ct);
                if (entry?.Status == LedgerStatus.Done)
                {
                    done++;
                    memo.Forget(key);
                }
                else if (entry?.Status is LedgerStatus.Failed or LedgerStatus.Skipped && IsUnchanged(entry, order))
                {
                    // Failed or filtered, and Centra's own updatedAt is the one the order handler read: retrying
                    // would fail the same way. The operator retries after the fix (`junipeer replay`); any change
                    // in Centra bumps updatedAt and brings it back by itself.
                    unchanged++;
                    memo.Forget(key);
                }
                else if (memo.StillQueued(key, entry, order.UpdatedAt))
                {
                    // Enqueued by an earlier run of this sweep and not finished yet: its message is still on the queue.
                    // The checkpoint keeps it in the window until the memo lets it be enqueued again.
                }
                else
                {
                    await queue.EnqueueAsync(
                        WorkItem.ForOrder(integration.Id, order.OrderNumber, WorkReasons.Sweep, $"{correlationId}-{order.OrderNumber}", time.GetUtcNow()), null, ct);
                    memo.Enqueued(key);
                    enqueued++;
                }
            }

            // Persist per page, after every enqueue of the page succeeded: a long backlog advances even if a
            // later page fails, and the page's checkpoint never passes an order not yet returned.
            var next = memo.Capped(page.Checkpoint);
            if (next > checkpoint)
            {
                await checkpoints.SetAsync(integration.Id, cursor, next, ct);
                checkpoint = next;
            }
        }

        enqueued += await RetryTransientFailuresAsync(integration, correlationId, ct);

        var purged = await inbox.PurgeAsync(integration.Id, InboxSources.CentraWebhook, time.GetUtcNow() - InboxSources.Retention, ct);
        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} webhook dedupe rows older than {Days} days", purged, InboxSources.Retention.TotalDays);
        }

        logger.LogInformation("Order sweep for {IntegrationId} from {From}: {Seen} changed, {Enqueued} enqueued, {StillQueued} still queued from an earlier run, {Done} already invoiced, {Unchanged} failed/skipped and unchanged, {Foreign} owned by another integration",
            integration.Id, from, seen, enqueued, memo.StillQueuedCount, done, unchanged, foreign);
        return new SweepResult(1, seen, enqueued, done, 0) { StillQueued = memo.StillQueuedCount };
    }

    /// <summary>
    /// Orders that failed for a reason that goes away by itself (ERP or shop down or rate-limited, or
    /// retries exhausted during such an outage) are re-enqueued with backoff — 15 min doubling per
    /// attempt, at most 4 h — whether or not they changed in Centra and however old they are, so an
    /// outage strands nothing. Failures that need a fix (mapping, settings) wait for the fix and a replay.
    /// </summary>
    private async Task<int> RetryTransientFailuresAsync(Integration integration, string correlationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var entry in await ledger.ListByStatusAsync(integration.Id, Flows.Orders, LedgerStatus.Failed, ct))
        {
            if (!RetriesByItself(entry.ErrorCode))
                continue;
            var backoff = TimeSpan.FromMinutes(15 * Math.Pow(2, Math.Min(Math.Max(entry.Attempts - 1, 0), 4)));
            if (entry.UpdatedAt is { } at && now - at < backoff)
                continue;
            await queue.EnqueueAsync(WorkItem.ForOrder(integration.Id, entry.Key.EntityKey, WorkReasons.Sweep, $"{correlationId}-retry-{entry.Key.EntityKey}", now), null, ct);
            count++;
        }

        if (count > 0)
            logger.LogInformation("Re-enqueued {Count} orders that failed for a transient reason", count);
        return count;
    }

    /// <summary>Checkpoint row of the orders sweep: <c>orders</c> live, <c>orders-shadow</c> in shadow mode.</summary>
    public static string CheckpointFlow(Integration integration) =>
        integration.Mode == IntegrationMode.Shadow ? Flows.Orders + "-shadow" : Flows.Orders;

    /// <summary>True for codes that clear without an operator's fix.</summary>
    public static bool RetriesByItself(string? code) =>
        code == ErrorCodes.PoisonMessage || (code is not null && ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Retryable == true);

    /// <summary>Ledger fact the order handler writes with the shop's updatedAt it read (round-trip "O").</summary>
    public const string ShopUpdatedAtFact = OrderFacts.ShopUpdatedAt;

    /// <summary>
    /// True when the ledger row was judged on the very version of the order the shop reports now: the
    /// fact <see cref="ShopUpdatedAtFact"/> equals the order's updatedAt. A missing or unreadable fact
    /// (e.g. the order could not be read) counts as changed, so the order is enqueued.
    /// </summary>
    public static bool IsUnchanged(LedgerEntry entry, ShopOrderRef order) =>
        entry.Facts.TryGetValue(ShopUpdatedAtFact, out var raw)
        && DateTimeOffset.TryParseExact(raw, "O", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var read)
        && read == order.UpdatedAt;
}
