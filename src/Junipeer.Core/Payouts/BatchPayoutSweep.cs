using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Payouts;

/// <summary>What one probe of one PSP account did.</summary>
public sealed record BatchSweepResult(int Probed, int Found, int Enqueued, int AlreadyDone, int FailedUnchanged, long? LastBooked, long? StoppedAt);

/// <summary>
/// The payout timer for PSPs whose payouts are numbered batches with no listing (<see cref="IBatchPayoutSource"/>,
/// Adyen): per account in <c>payouts.providers.&lt;psp&gt;.merchantAccounts</c>, from a look-back of one run's probes
/// before the last batch found (remembered in the Mappings table, kind <c>payout-batch-&lt;psp&gt;</c>; a cache only) or
/// the account's <c>firstBatch</c>, whichever is later, batch by batch (every batch found moves the remembered one on,
/// whatever became of it):
/// <list type="bullet">
/// <item>a ledger row Done or Skipped: booked already (or before the cut-over), no call to the PSP;</item>
/// <item>a row Failed for a reason that needs a fix: left for <c>junipeer replay</c> (it exists, so probing goes on);</item>
/// <item>a row Pending or in progress: it exists; enqueued again (the handler is idempotent, as the listing sweeps do);</item>
/// <item>no row (or Failed as not found): the PSP is asked; a batch it serves is enqueued on <c>payouts</c> exactly like
/// the notification path does (same payout id), a batch it does not have yet ends the run for the account.</item>
/// </list>
/// At most <see cref="PayoutOptions.BatchProbesPerRun"/> PSP calls per account and run. Lost storage loses the
/// remembered batch: the sweep starts again at <c>firstBatch</c>, finds the booked batches and enqueues them; the
/// payout handler finds their payments in the ERP (exactly once) and books nothing twice.
/// </summary>
public sealed class BatchPayoutSweep(
    ISyncLedger ledger,
    IMappingStore mappings,
    IWorkQueue queue,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<BatchPayoutSweep> logger)
{
    public static string CursorKind(string provider) => "payout-batch-" + provider;

    public async Task<BatchSweepResult> SweepAsync(Integration integration, IBatchPayoutSource source, string account, long firstBatch, CancellationToken ct)
    {
        var kind = CursorKind(source.Provider);
        var stored = await mappings.GetAsync(integration.Id, kind, account, ct);
        long? remembered = long.TryParse(stored, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var r) ? r : null;
        // The cursor remembers the last batch found (a ledger row or a successful probe), whatever became of it: the
        // payout flow owns a found batch from then on (retries, its failure, replay). A cursor that waited for
        // "booked" froze at the first batch left Failed (a sale from outside the shop) or Skipped (before the
        // cut-over), and once later batches outgrew the walk below the timer never looked for a new batch again.
        // A look-back of one run's probes re-offers recent batches that retry by themselves (an invoice that
        // appears later), as the Stripe and Klarna sweeps' overlap does.
        var maxProbes = Math.Max(1, options.Value.Payouts.BatchProbesPerRun);
        var batch = Math.Max(firstBatch, (remembered ?? 0) + 1 - maxProbes);
        var lastBooked = remembered;
        int probes = 0, found = 0, enqueued = 0, done = 0, unchanged = 0;
        var correlation = $"bsweep-{Guid.NewGuid():N}";
        long? stoppedAt = null;

        // Bounded also without PSP calls (a long run of booked batches after a wipe of the Mappings table only).
        for (var steps = 0; steps < maxProbes * 10; steps++, batch++)
        {
            var id = source.PayoutId(account, batch);
            var entry = await ledger.GetAsync(new LedgerKey(integration.Id, PayoutFlows.Payouts, Payout.PayoutKey(source.Provider, id)), ct);
            if (entry?.Status is LedgerStatus.Done or LedgerStatus.Skipped)
            {
                done++;
                lastBooked = Math.Max(lastBooked ?? 0, batch);
                continue;
            }

            if (entry?.Status == LedgerStatus.Failed && entry.ErrorCode != ErrorCodes.PayoutNotFound && !OrderSweepHandler.RetriesByItself(entry.ErrorCode))
            {
                unchanged++; // waits for the operator's fix and replay
                lastBooked = Math.Max(lastBooked ?? 0, batch);
                continue;
            }

            var known = entry is not null && entry.ErrorCode != ErrorCodes.PayoutNotFound;
            if (!known)
            {
                if (probes >= maxProbes)
                {
                    stoppedAt = batch;
                    break;
                }

                probes++;
                if (!await source.BatchExistsAsync(integration, account, batch, ct))
                {
                    stoppedAt = batch; // not there (yet): the next run asks again
                    break;
                }
            }

            found++;
            await queue.EnqueueAsync(WorkItem.ForPayout(integration.Id, source.Provider, id, WorkReasons.Sweep, $"{correlation}-{batch}", time.GetUtcNow()), null, ct);
            enqueued++;
            lastBooked = Math.Max(lastBooked ?? 0, batch);
        }

        if (lastBooked is { } last && last != remembered)
            await mappings.SetAsync(integration.Id, kind, account, last.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        logger.LogInformation(
            "Batch sweep for {IntegrationId} ({Provider} {Account}) from batch {From}: {Probed} probed, {Enqueued} enqueued, {Done} already booked, {Unchanged} failed (replay after a fix), last found {LastBooked}, stopped at {StoppedAt}",
            integration.Id, source.Provider, account, Math.Max(firstBatch, (remembered ?? 0) + 1), probes, enqueued, done, unchanged, lastBooked, stoppedAt);
        return new BatchSweepResult(probes, found, enqueued, done, unchanged, lastBooked, stoppedAt);
    }
}
