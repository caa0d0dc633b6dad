using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Orders;

/// <summary>Queue "orders": one message per order → one invoice.</summary>
public sealed class OrderSyncFunction(OrderSyncHandler handler, ILogger<OrderSyncFunction> logger)
{
    [Function("OrderSync")]
    public async Task Run([QueueTrigger(StorageNames.OrdersQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, StorageNames.OrdersQueue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), cancellationToken);
    }
}

/// <summary>Queue "orders-poison": retries exhausted → ledger Failed + operator event.</summary>
public sealed class OrderPoisonFunction(PoisonHandler handler, ILogger<OrderPoisonFunction> logger)
{
    [Function("OrderPoison")]
    public async Task Run([QueueTrigger(StorageNames.OrdersPoisonQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, StorageNames.OrdersPoisonQueue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, Flows.Orders, cancellationToken);
    }
}

/// <summary>Timer: the fallback sweep that catches orders whose webhook never came.</summary>
public sealed class OrderSweepFunction(OrderSweepHandler handler)
{
    public const string ScheduleSetting = "OrderSweepSchedule";

    [Function("OrderSweep")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await handler.RunAsync(cancellationToken);
}
