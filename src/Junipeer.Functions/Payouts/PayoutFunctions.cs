using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Payouts;

/// <summary>Queue "payouts": one message per payout (key "&lt;provider&gt;:&lt;payout id&gt;") → its customer payments and credit notes.</summary>
public sealed class PayoutSyncFunction(PayoutSyncHandler handler, ILogger<PayoutSyncFunction> logger)
{
    public const string Queue = "payouts";

    [Function("PayoutSync")]
    public async Task Run([QueueTrigger(Queue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueWorkQueue.TryParse(message);
        if (item is null || item.Kind != WorkKinds.Payout)
        {
            logger.LogError("{ErrorCode}: unreadable message on {Queue}: {Body}", ErrorCodes.QueueMessageInvalid, Queue,
                message.Length > 500 ? message[..500] : message);
            return;
        }

        await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), cancellationToken);
    }
}
