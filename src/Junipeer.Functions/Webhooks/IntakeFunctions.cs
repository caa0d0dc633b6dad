using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Webhooks;

/// <summary>
/// Queue "intake": a <see cref="WorkBatch"/> written by the group commit of concurrent webhook
/// acknowledgements (<see cref="GroupCommitIntakeQueue"/>); each item goes on to its work queue
/// (orders, refunds, payouts, shipments, stock-hints) with its delay. A failure part-way retries
/// the whole message: the items already handed on are enqueued again, which every handler behind
/// those queues absorbs (exactly-once rails, coalesced stock hints).
/// </summary>
public sealed class IntakeFanOutFunction(IWorkQueue queue, ILogger<IntakeFanOutFunction> logger)
{
    [Function("IntakeFanOut")]
    public Task Run([QueueTrigger(StorageNames.IntakeQueue)] string message, CancellationToken cancellationToken) =>
        FanOutAsync(queue, logger, message, StorageNames.IntakeQueue, cancellationToken);

    /// <summary>Hands every item of the batch on to its work queue; an unreadable body is logged with its code and completed.</summary>
    public static async Task<int> FanOutAsync(IWorkQueue queue, ILogger logger, string message, string queueName, CancellationToken ct)
    {
        var batch = WorkBatch.TryParse(message);
        if (batch is null)
        {
            // Retrying cannot fix a malformed body; every webhook's order is also found by its sweep.
            Hosting.QueueMessages.Unreadable(logger, queueName, message);
            return 0;
        }

        await Task.WhenAll(batch.Items.Select(i => queue.EnqueueAsync(i.Item, i.Delay, ct)));
        logger.LogInformation("Intake batch from {Queue}: {Count} items handed on for {Integrations}", queueName, batch.Items.Count,
            string.Join(", ", batch.Items.Select(i => i.Item.IntegrationId).Distinct(StringComparer.Ordinal)));
        return batch.Items.Count;
    }
}

/// <summary>
/// Queue "intake-poison": a batch the fan-out kept failing on (work queues unwritable for the whole
/// retry window). One more hand-on; if storage is still failing the message stays for the host's
/// own poison handling and the sweeps find the orders, payouts and shipments anyway.
/// </summary>
public sealed class IntakePoisonFunction(IWorkQueue queue, ILogger<IntakePoisonFunction> logger)
{
    [Function("IntakePoison")]
    public Task Run([QueueTrigger(StorageNames.IntakePoisonQueue)] string message, CancellationToken cancellationToken) =>
        IntakeFanOutFunction.FanOutAsync(queue, logger, message, StorageNames.IntakePoisonQueue, cancellationToken);
}
