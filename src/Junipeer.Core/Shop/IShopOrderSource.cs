using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shop;

/// <summary>Port: reads orders from the shop (Centra first).</summary>
public interface IShopOrderSource
{
    /// <summary>The order, or null when the shop does not know the number.</summary>
    Task<ShopOrder?> GetOrderAsync(Integration integration, string orderNumber, CancellationToken cancellationToken);

    /// <summary>
    /// Orders whose updatedAt is at or after <paramref name="since"/>, oldest first, one page at a time;
    /// each page carries a checkpoint that is safe to persist (see <see cref="ShopOrderPage"/>). An order
    /// changed while the pages are read is not lost: it comes again later in the same read or in the next
    /// sweep, and no page's checkpoint passes an order not yet returned. The shop may pre-filter by the
    /// integration's ownership filter where its API can; the caller still applies it.
    /// </summary>
    IAsyncEnumerable<ShopOrderPage> GetOrdersChangedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken);
}
