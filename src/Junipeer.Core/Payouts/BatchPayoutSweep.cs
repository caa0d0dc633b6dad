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
/// <para>
/// <b>Overdue and refused accounts.</b> A missing batch number or a mistyped merchant account looks exactly like "not
/// published yet" (404): the time a new batch was last found is remembered per account (kind
/// <c>payout-batch-seen-&lt;psp&gt;</c>; for an account never found, the time the timer began to look), and when it is
/// older than <see cref="PayoutOptions.BatchOverdueHours"/> every run raises <c>PAYOUT_BATCH_OVERDUE</c> through
/// <see cref="OperatorAlerts"/>. The very first probe of an account refused for its credentials (401/403) raises
/// <c>PAYOUT_BATCH_ACCOUNT_REFUSED</c> naming the account, then fails that account's sweep.
/// </para>
/// <para>
/// <b>Shadow mode</b> walks with the same cursor and look-back, kept apart (kinds suffixed <c>-shadow</c>), and takes a
/// batch's shadow record where the live walk takes its ledger row (a shadow run writes no ledger row; without this the
/// look-back re-probed the same batches every run and never got past the first <see cref="PayoutOptions.BatchProbesPerRun"/>).
/// </para>
/// </summary>
public sealed class BatchPayoutSweep(
    ISyncLedger ledger,
    IMappingStore mappings,
    IWorkQueue queue,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<BatchPayoutSweep> logger,
    OperatorAlerts alerts,
    Shadow.IShadowLog shadowLog)
{
    public static string CursorKind(string provider) => "payout-batch-" + provider;

    /// <summary>When a new batch was last found for an account (ISO 8601), or the timer began to look for one.</summary>
    public static string SeenKind(string provider) => "payout-batch-seen-" + provider;

    /// <summary>The kinds in shadow mode: a shadow run keeps its own place, as the listing sweeps' shadow checkpoints do.</summary>
    public static string ShadowSuffix => "-shadow";

    public async Task<BatchSweepResult> SweepAsync(Integration integration, IBatchPayoutSource source, string account, long firstBatch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(source);
        var shadow = integration.Mode == IntegrationMode.Shadow;
        var kind = CursorKind(source.Provider) + (shadow ? ShadowSuffix : "");
        var seenKind = SeenKind(source.Provider) + (shadow ? ShadowSuffix : "");
        var started = time.GetUtcNow();

        // What became of a batch: its ledger row (live), or its latest shadow record (shadow mode writes no row).
        Dictionary<string, Shadow.ShadowRecord>? shadowed = shadow
            ? (await shadowLog.ListAsync(integration.Id, PayoutFlows.Payouts, ct)).GroupBy(r => r.EntityKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal)
            : null;
        async Task<(LedgerStatus Status, string? Code)?> StateAsync(string payoutKey)
        {
            if (shadowed is null)
                return await ledger.GetAsync(new LedgerKey(integration.Id, PayoutFlows.Payouts, payoutKey), ct) is { } row ? (row.Status, row.ErrorCode) : null;
            return shadowed.TryGetValue(payoutKey, out var rec)
                ? (rec.Outcome == Shadow.ShadowOutcome.Failed ? LedgerStatus.Failed : LedgerStatus.Done, rec.ErrorCode)
                : null;
        }

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
            var entry = await StateAsync(Payout.PayoutKey(source.Provider, id));
            if (entry?.Status is LedgerStatus.Done or LedgerStatus.Skipped)
            {
                done++;
                lastBooked = Math.Max(lastBooked ?? 0, batch);
                continue;
            }

            if (entry is { Status: LedgerStatus.Failed } failed && failed.Code != ErrorCodes.PayoutNotFound && !OrderSweepHandler.RetriesByItself(failed.Code))
            {
                unchanged++; // waits for the operator's fix and replay
                lastBooked = Math.Max(lastBooked ?? 0, batch);
                continue;
            }

            var known = entry is not null && entry.Value.Code != ErrorCodes.PayoutNotFound;
            if (!known)
            {
                if (probes >= maxProbes)
                {
                    stoppedAt = batch;
                    break;
                }

                probes++;
                bool exists;
                try
                {
                    exists = await source.BatchExistsAsync(integration, account, batch, ct);
                }
                catch (JunipeerException ex) when (ex.Code == ErrorCodes.PspAuthFailed && remembered is null && lastBooked is null && probes == 1)
                {
                    // The very first probe of an account that never had a batch found: a refusal here means the report
                    // user's credentials or its access to this merchant account (or the account code) are wrong, not a
                    // passing outage. Adyen's docs do not say whether 403 (rather than 401 or 404) is what the download
                    // answers for a merchant account the report user may not read, so the two are not told apart.
                    await alerts.RaiseAsync(integration.Id, PayoutFlows.Payouts, $"payouts-batch:{source.Provider}:{account}", ErrorCodes.PayoutBatchAccountRefused,
                        $"The first probe of {source.Provider} merchant account '{account}' (batch {batch}) was refused: {ex.Message} " +
                        "Check the merchant account code in payouts.providers." + source.Provider + ".merchantAccounts and the report user's credentials and account access.", CancellationToken.None);
                    throw;
                }

                if (!exists)
                {
                    // Not there (yet): the next run asks again. On an account's very first probe a 404 cannot tell "not
                    // closed yet" from a mistyped account or batch number (Adyen's docs are silent on the answer for an
                    // unknown account); the overdue alert below catches both once BatchOverdueHours pass.
                    stoppedAt = batch;
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
        await CheckOverdueAsync(integration, source, account, seenKind, newBatch: lastBooked is { } l && (remembered is null || l > remembered), started, stoppedAt, ct);
        logger.LogInformation(
            "Batch sweep for {IntegrationId} ({Provider} {Account}) from batch {From}: {Probed} probed, {Enqueued} enqueued, {Done} already booked, {Unchanged} failed (replay after a fix), last found {LastBooked}, stopped at {StoppedAt}",
            integration.Id, source.Provider, account, Math.Max(firstBatch, (remembered ?? 0) + 1), probes, enqueued, done, unchanged, lastBooked, stoppedAt);
        return new BatchSweepResult(probes, found, enqueued, done, unchanged, lastBooked, stoppedAt);
    }

    /// <summary>
    /// Remembers when a new batch was found (or, the first time, that the timer began to look) and raises
    /// PAYOUT_BATCH_OVERDUE when that is older than <see cref="PayoutOptions.BatchOverdueHours"/>.
    /// </summary>
    private async Task CheckOverdueAsync(Integration integration, IBatchPayoutSource source, string account, string seenKind, bool newBatch, DateTimeOffset now, long? stoppedAt, CancellationToken ct)
    {
        var provider = source.Provider;
        var stored = newBatch ? null : await mappings.GetAsync(integration.Id, seenKind, account, ct);
        if (newBatch || !DateTimeOffset.TryParse(stored, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var seen))
        {
            await mappings.SetAsync(integration.Id, seenKind, account, now.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ct);
            return;
        }

        var limit = TimeSpan.FromHours(Math.Max(1, options.Value.Payouts.BatchOverdueHours));
        if (now - seen <= limit)
            return;
        var hours = ((now - seen).TotalHours).ToString("0", System.Globalization.CultureInfo.InvariantCulture);

        // A gap in the numbering (the batch asked for is missing but a later one exists) looks the same from the
        // walk; one more probe while overdue tells the operator which it is. Whether Adyen ever skips a batch number
        // is not documented, so the timer does not jump the gap by itself.
        var gap = "";
        if (stoppedAt is { } missing)
        {
            try
            {
                if (await source.BatchExistsAsync(integration, account, missing + 1, ct))
                    gap = $" Batch {(missing + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} exists, so batch {missing.ToString(System.Globalization.CultureInfo.InvariantCulture)} is missing from the sequence: book it by hand if it is real, then set the account's firstBatch past it.";
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Probe past batch {Batch} of {Provider} {Account} failed", missing, provider, account);
            }
        }

        await alerts.RaiseAsync(integration.Id, PayoutFlows.Payouts, $"payouts-batch:{provider}:{account}", ErrorCodes.PayoutBatchOverdue,
            $"No new {provider} settlement batch was found for merchant account '{account}' for {hours} h (since {seen.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}; " +
            $"Junipeer:Payouts:BatchOverdueHours is {limit.TotalHours.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}); " +
            $"the timer keeps asking for batch {stoppedAt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, which the PSP does not serve. " +
            "A mistyped merchant account or a wrong firstBatch looks exactly like a batch not published yet." + gap, CancellationToken.None);
    }
}
