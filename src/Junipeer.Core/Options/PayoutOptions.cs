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
}
