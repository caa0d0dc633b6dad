using Junipeer.Core.Stock;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Stock;

/// <summary>Timer: stock from Visma.net to Centra for every integration with Stock.Enabled.</summary>
public sealed class StockSyncFunction(StockSyncHandler handler)
{
    public const string ScheduleSetting = "StockSyncSchedule";

    [Function("StockSync")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await handler.RunAsync(cancellationToken);
}
