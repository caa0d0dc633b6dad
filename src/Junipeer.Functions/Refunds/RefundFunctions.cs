using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Junipeer.Core.Refunds;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Refunds;

/// <summary>Queue "refunds": one message per Centra order (key: order number) → one credit note per refund made in Centra.</summary>
public sealed class RefundSyncFunction(RefundSyncHandler handler, ILogger<RefundSyncFunction> logger)
{
    public const string Queue = "refunds";

    [Function("RefundSync")]
    public async Task Run([QueueTrigger(Queue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, Queue, logger, WorkKinds.Refund);
        if (item is null)
            return;

        await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), cancellationToken);
    }
}

/// <summary>
/// Queue "refunds-poison": retries exhausted → the order's row in flow "shop-refunds" Failed with
/// SYNC_RETRIES_EXHAUSTED + operator event (the refunds' own rows keep their last error; the next
/// webhook or refund sweep tries them again).
/// </summary>
public sealed class RefundPoisonFunction(PoisonHandler handler, ILogger<RefundPoisonFunction> logger)
{
    public const string Queue = "refunds-poison";

    [Function("RefundPoison")]
    public async Task Run([QueueTrigger(Queue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, Queue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, RefundSyncHandler.ShopRefundsFlow, cancellationToken);
    }
}
