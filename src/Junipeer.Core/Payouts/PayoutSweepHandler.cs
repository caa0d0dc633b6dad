using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Payouts;

/// <summary>What one payout timer run did.</summary>
public sealed record PayoutSweepResult(int Integrations, int Providers, int Seen, int Enqueued, int AlreadyDone, int FailedUnchanged, int Errors);

/// <summary>
/// The payout timer (fallback for PSP notifications that never came): per integration with payouts
/// on, per PSP configured in <c>payouts.providers</c> with a registered <see cref="IPayoutSource"/>,
/// lists the payouts paid since the checkpoint − <see cref="PayoutFlowSettings.SweepOverlapMinutes"/>
/// (checkpoint per integration and PSP, flow <c>payouts-&lt;psp&gt;</c>; the first run looks back
/// one overlap) and enqueues each one whose ledger row is not Done on queue <c>payouts</c>. A payout
/// Failed for a reason that needs a fix is left for <c>junipeer replay</c>; one Failed as not found
/// (not paid or reconciled yet) is enqueued again. The checkpoint moves to the run's start only
/// after every enqueue of that PSP succeeded. A PSP whose payouts are numbered batches with no listing
/// (<see cref="IBatchPayoutSource"/>, Adyen) is probed batch by batch instead, per account in
/// <c>payouts.providers.&lt;psp&gt;.merchantAccounts</c> (<see cref="BatchPayoutSweep"/>).
/// </summary>
public sealed class PayoutSweepHandler(
    IIntegrationStore integrations,
    IEnumerable<IPayoutSource> sources,
    ICheckpointStore checkpoints,
    ISyncLedger ledger,
    IWorkQueue queue,
    TimeProvider time,
    ILogger<PayoutSweepHandler> logger,
    OperatorAlerts alerts,
    BatchPayoutSweep batches)
{
    public static string CheckpointFlow(string provider) => PayoutFlows.Payouts + "-" + provider;

    public async Task<PayoutSweepResult> RunAsync(CancellationToken ct)
    {
        int count = 0, providers = 0, seen = 0, enqueued = 0, done = 0, unchanged = 0, errors = 0;
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Payouts.Enabled)
                continue;
            count++;
            foreach (var provider in integration.Payouts.Providers.Keys.Order(StringComparer.Ordinal))
            {
                var source = sources.LastOrDefault(s => string.Equals(s.Provider, provider, StringComparison.Ordinal)); // the last registration wins
                if (source is null)
                    continue;
                providers++;
                try
                {
                    var r = source is IBatchPayoutSource batchSource
                        ? await SweepBatchesAsync(integration, batchSource, ct)
                        : await SweepAsync(integration, source, ct);
                    seen += r.Seen;
                    enqueued += r.Enqueued;
                    done += r.AlreadyDone;
                    unchanged += r.FailedUnchanged;
                    errors += r.Errors;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    errors++;
                    logger.LogError(ex, "Payout sweep failed for integration {IntegrationId}, PSP {Provider}", integration.Id, provider);
                    await alerts.SweepFailedAsync(integration.Id, PayoutFlows.Payouts, "payouts-sweep:" + provider, $"payouts ({provider})", ex, provider);
                }
            }
        }

        return new PayoutSweepResult(count, providers, seen, enqueued, done, unchanged, errors);
    }

    /// <summary>
    /// Probes every configured account of a batch-numbered PSP (none configured: nothing to do, the notification is the
    /// trigger). Each account on its own: one that fails (credentials refused for it, a broken download) raises
    /// SWEEP_FAILED for that account (source <c>payouts-sweep:&lt;psp&gt;:&lt;account&gt;</c>, plus CONNECTION_AUTH_FAILED for a
    /// refusal) and the other accounts are probed as usual; its remembered batch stays where it was.
    /// </summary>
    public async Task<PayoutSweepResult> SweepBatchesAsync(Integration integration, IBatchPayoutSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(source);
        var accounts = integration.Payouts.Providers.GetValueOrDefault(source.Provider)?.MerchantAccounts ?? new Dictionary<string, BatchAccountSettings>();
        int seen = 0, enqueued = 0, done = 0, unchanged = 0, errors = 0;
        foreach (var (account, settings) in accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            try
            {
                var r = await batches.SweepAsync(integration, source, account, settings.FirstBatch, ct);
                seen += r.Found + r.AlreadyDone + r.FailedUnchanged;
                enqueued += r.Enqueued;
                done += r.AlreadyDone;
                unchanged += r.FailedUnchanged;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                errors++;
                logger.LogError(ex, "Payout sweep failed for integration {IntegrationId}, PSP {Provider}, account {Account}", integration.Id, source.Provider, account);
                await alerts.SweepFailedAsync(integration.Id, PayoutFlows.Payouts, $"payouts-sweep:{source.Provider}:{account}", $"payouts ({source.Provider} merchant account {account})", ex, source.Provider);
            }
        }

        return new PayoutSweepResult(1, 1, seen, enqueued, done, unchanged, errors);
    }

    public async Task<PayoutSweepResult> SweepAsync(Integration integration, IPayoutSource source, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var overlap = TimeSpan.FromMinutes(Math.Max(0, integration.Payouts.SweepOverlapMinutes));
        // Shadow mode keeps its own cursor; a live start without one begins at the cut-over date when that is earlier than now.
        var flow = CheckpointFlow(source.Provider) + (integration.Mode == IntegrationMode.Shadow ? "-shadow" : "");
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct)
                         ?? (integration.Mode == IntegrationMode.Live && integration.CutOverDate is { } cutOver && cutOver + overlap < started ? cutOver + overlap : started);
        var from = checkpoint - overlap;
        var ids = await source.ListPayoutIdsAsync(integration, from, ct);
        var correlation = $"psweep-{Guid.NewGuid():N}";
        int enqueued = 0, done = 0, unchanged = 0;
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var entry = await ledger.GetAsync(new LedgerKey(integration.Id, PayoutFlows.Payouts, Payout.PayoutKey(source.Provider, id)), ct);
            if (entry?.Status is LedgerStatus.Done or LedgerStatus.Skipped)
            {
                done++;
                continue;
            }

            if (entry?.Status == LedgerStatus.Failed && entry.ErrorCode != ErrorCodes.PayoutNotFound && !OrderSweepHandler.RetriesByItself(entry.ErrorCode))
            {
                unchanged++;
                continue;
            }

            await queue.EnqueueAsync(WorkItem.ForPayout(integration.Id, source.Provider, id, WorkReasons.Sweep, $"{correlation}-{id}", time.GetUtcNow()), null, ct);
            enqueued++;
        }

        await checkpoints.SetAsync(integration.Id, flow, started, ct);
        logger.LogInformation("Payout sweep for {IntegrationId} ({Provider}) from {From}: {Seen} paid payouts, {Enqueued} enqueued, {Done} already booked, {Unchanged} failed (replay after a fix)",
            integration.Id, source.Provider, from, ids.Count, enqueued, done, unchanged);
        return new PayoutSweepResult(1, 1, ids.Count, enqueued, done, unchanged, 0);
    }
}
