using System.ComponentModel.DataAnnotations;

namespace Junipeer.Core.Options;

/// <summary>The payouts flow's deployment settings (section Junipeer:Payouts).</summary>
public sealed class PayoutOptions
{
    /// <summary>
    /// The payout timer asks a batch-numbered PSP (Adyen) for at most this many not-yet-seen batches per
    /// account and run (batches already booked cost no PSP call). A backlog larger than this is caught up
    /// over several runs.
    /// </summary>
    [Range(1, 100)]
    public int BatchProbesPerRun { get; set; } = 5;

    /// <summary>
    /// The payout timer raises PAYOUT_BATCH_OVERDUE for a batch-numbered PSP account (Adyen merchant account)
    /// where no new batch has been found for longer than this (a mistyped account or a wrong firstBatch looks
    /// exactly like "not published yet"). Default 3 days: daily payouts with a weekend; accounts paid weekly
    /// need at least 192.
    /// </summary>
    [Range(1, 8760)]
    public int BatchOverdueHours { get; set; } = 72;
}
