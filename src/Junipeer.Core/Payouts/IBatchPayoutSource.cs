using Junipeer.Core.Integrations;

namespace Junipeer.Core.Payouts;

/// <summary>
/// Port: a PSP whose payouts are numbered batches per account with no listing (Adyen: one settlement
/// details report per batch, <c>settlement_detail_report_batch_&lt;n&gt;.csv</c> per merchant account). The
/// payout timer cannot list them, so it probes the next batch numbers (<see cref="BatchPayoutSweep"/>).
/// </summary>
public interface IBatchPayoutSource
{
    /// <summary><see cref="PayoutProviders"/>.</summary>
    string Provider { get; }

    /// <summary>The payout id of a batch (the same id the PSP's notification path enqueues).</summary>
    string PayoutId(string account, long batch);

    /// <summary>
    /// True when the PSP serves the batch now; false when it answers that there is no such batch (yet):
    /// "not yet", never an error. Other answers (credentials refused, 5xx, broken connection) throw.
    /// </summary>
    Task<bool> BatchExistsAsync(Integration integration, string account, long batch, CancellationToken cancellationToken);
}
