using System.Globalization;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shipments;

/// <summary>
/// The fallback schedule for shipment signals: Visma's webhooks are hints and may never come, this
/// guarantees every confirmed shipment is handled. Per integration with shipments on: shipments in
/// the trigger status whose lastModifiedDateTime is at or after checkpoint − overlap, enqueued unless
/// Done (or Failed/Skipped with the same lastModifiedDateTime); the checkpoint then moves to the newest
/// lastModifiedDateTime seen. One sweep therefore delivers every signal that was dropped before it.
/// </summary>
public sealed class ShipmentSweepHandler(
    IIntegrationStore integrations,
    ShipmentSyncHandler handler,
    ICheckpointStore checkpoints,
    ISyncLedger ledger,
    IWorkQueue queue,
    TimeProvider time,
    ILogger<ShipmentSweepHandler> logger,
    OperatorAlerts alerts)
{
    public async Task<SweepResult> RunAsync(CancellationToken ct)
    {
        int count = 0, seen = 0, enqueued = 0, done = 0, failed = 0;
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Shipments.Enabled)
                continue;
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
                failed++;
                logger.LogError(ex, "Shipment sweep failed for integration {IntegrationId}", integration.Id);
                await alerts.SweepFailedAsync(integration.Id, Flows.Shipments, "shipments-sweep", "shipments", ex);
            }
        }

        return new SweepResult(count, seen, enqueued, done, failed);
    }

    private readonly SweepMemo _memo = new(time);

    public async Task<SweepResult> SweepAsync(Integration integration, CancellationToken ct)
    {
        var correlationId = $"sweep-{Guid.NewGuid():N}";
        var settings = integration.Shipments;
        // Shadow mode keeps its own cursor; a live start without one begins at the later of the cut-over date and SyncFrom.
        var flow = CheckpointFlow(integration);
        var cutOver = integration.Mode == IntegrationMode.Live ? integration.CutOverDate : null;
        var start = cutOver is { } c && (settings.SyncFrom is not { } sf || c > sf) ? c : settings.SyncFrom;
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct)
                         ?? start
                         ?? time.GetUtcNow() - OrderSweepHandler.DefaultBackfill;
        var from = checkpoint - TimeSpan.FromMinutes(settings.SweepOverlapMinutes);
        var shipments = await handler.ErpFor(integration).ListShipmentsChangedSinceAsync(integration, settings.TriggerStatus, from, ct);
        int enqueued = 0, done = 0, unchanged = 0;
        var memo = await _memo.BeginRunAsync(integration, ledger, TimeSpan.FromMinutes(settings.SweepOverlapMinutes), ct); // live only
        var newest = checkpoint;
        foreach (var s in shipments)
        {
            if (settings.SyncFrom is { } syncFrom && s.LastModified < syncFrom)
                continue;
            if (ShipmentSyncHandler.CutOverReason(integration, s) is not null)
                continue; // confirmed before the cut-over: not booked (the handler says so for a webhook's signal)
            var key = new LedgerKey(integration.Id, Flows.Shipments, s.Number);
            var entry = await ledger.GetAsync(key, ct);
            if (entry?.Status == LedgerStatus.Done)
            {
                done++;
                memo.Forget(key);
            }
            else if (entry?.Status is LedgerStatus.Failed or LedgerStatus.Skipped
                     && s.LastModified is { } m
                     && entry.Facts.GetValueOrDefault(ShipmentFacts.ErpModifiedAt) == m.ToString("O", CultureInfo.InvariantCulture)
                     && !OrderSweepHandler.RetriesByItself(entry.ErrorCode))
            {
                // Failed for a reason that needs a fix, and unchanged since: `junipeer replay` after the fix.
                unchanged++;
                memo.Forget(key);
            }
            else if (memo.StillQueued(key, entry, s.LastModified ?? from))
            {
                // Enqueued by an earlier run of this sweep and not finished yet (see SweepMemo); the checkpoint
                // keeps it in the window until the memo lets it be enqueued again.
            }
            else
            {
                await queue.EnqueueAsync(ShipmentSyncHandler.Item(integration.Id, s.Number, WorkReasons.Sweep, $"{correlationId}-{s.Number}", time.GetUtcNow()), null, ct);
                memo.Enqueued(key);
                enqueued++;
            }

            if (s.LastModified is { } lm && lm > newest)
                newest = lm;
        }

        // After every enqueue succeeded: the next sweep starts at the newest change seen (minus the overlap).
        newest = memo.Capped(newest);
        if (newest > checkpoint)
            await checkpoints.SetAsync(integration.Id, flow, newest, ct);

        logger.LogInformation("Shipment sweep for {IntegrationId} from {From}: {Seen} in {Status}, {Enqueued} enqueued, {StillQueued} still queued from an earlier run, {Done} done, {Unchanged} failed and unchanged",
            integration.Id, from, shipments.Count, settings.TriggerStatus, enqueued, memo.StillQueuedCount, done, unchanged);
        return new SweepResult(1, shipments.Count, enqueued, done, 0) { StillQueued = memo.StillQueuedCount };
    }

    /// <summary>Checkpoint row of the shipment sweep: <c>shipments</c> live, <c>shipments-shadow</c> in shadow mode.</summary>
    public static string CheckpointFlow(Integration integration) =>
        integration.Mode == IntegrationMode.Shadow ? Flows.Shipments + "-shadow" : Flows.Shipments;
}
