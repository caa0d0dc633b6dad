using Junipeer.Core.Errors;
using Junipeer.Core.Stock;
using Junipeer.Storage;
using Junipeer.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Stock;

/// <summary>Queue "stock-hints": a Visma.net inventory notification → a stock pass soon (coalesced; see <see cref="StockHintHandler"/>).</summary>
public sealed class StockHintFunction(StockHintHandler handler, ILogger<StockHintFunction> logger)
{
    [Function("StockHint")]
    public async Task Run([QueueTrigger(StorageNames.StockHintsQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, StorageNames.StockHintsQueue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, cancellationToken);
    }
}

/// <summary>Queue "stock-hints-poison": a hint whose pass kept failing. Nothing to mark: the stock timer converges; logged and dropped.</summary>
public sealed class StockHintPoisonFunction(ILogger<StockHintPoisonFunction> logger)
{
    [Function("StockHintPoison")]
    public Task Run([QueueTrigger(StorageNames.StockHintsPoisonQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueWorkQueue.TryParse(message);
        logger.LogWarning("Stock hint for {IntegrationId} gave up after the queue's retries; the StockSync timer converges", item?.IntegrationId ?? "(unreadable)");
        return Task.CompletedTask;
    }
}
