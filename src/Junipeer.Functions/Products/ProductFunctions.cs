using Junipeer.Core.Products;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Products;

/// <summary>Timer: products / articles in the configured direction for every integration with Products.Direction set.</summary>
public sealed class ProductSyncFunction(ProductSyncHandler handler)
{
    public const string ScheduleSetting = "ProductSyncSchedule";

    [Function("ProductSync")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await handler.RunAsync(cancellationToken);
}
