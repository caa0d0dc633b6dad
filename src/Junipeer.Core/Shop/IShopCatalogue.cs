using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shop;

/// <summary>Port: the shop's product sizes (SKUs) and their stock.</summary>
public interface IShopCatalogue
{
    /// <summary>Every product size with its full SKU, page by page.</summary>
    IAsyncEnumerable<IReadOnlyList<ShopSku>> ListSkusAsync(Integration integration, CancellationToken cancellationToken);

    /// <summary>
    /// Sets absolute stock of many sizes in one warehouse with one call (Centra <c>setStock</c>). Absolute
    /// values make a repeat harmless. Returns the SKUs the shop did not know (the rest were applied).
    /// </summary>
    Task<StockPushResult> SetStockAsync(Integration integration, string shopWarehouseId, IReadOnlyList<StockLevel> levels, CancellationToken cancellationToken);
}

public sealed record ShopSku(string Id, string Sku);

public sealed record StockLevel(string Sku, int Quantity);

public sealed record StockPushResult(IReadOnlyList<string> UnknownSkus);
