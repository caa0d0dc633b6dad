using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shop;

/// <summary>Port: reads orders from the shop (Centra first).</summary>
public interface IShopOrderSource
{
    /// <summary>The order, or null when the shop does not know the number.</summary>
    Task<ShopOrder?> GetOrderAsync(Integration integration, string orderNumber, CancellationToken cancellationToken);

    /// <summary>Orders whose updatedAt is at or after <paramref name="since"/>, oldest first, all pages.</summary>
    IAsyncEnumerable<ShopOrderRef> GetOrdersChangedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken);
}
