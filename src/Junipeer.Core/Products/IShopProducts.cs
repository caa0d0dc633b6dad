using Junipeer.Core.Integrations;

namespace Junipeer.Core.Products;

/// <summary>
/// Port: the shop's products (Centra: product → variant → size; the full SKU is product number + variant number +
/// size number) for the product sync.
/// </summary>
public interface IShopProducts
{
    /// <summary>Products updated at or after <paramref name="since"/> (every product when null), with variants and sizes, oldest first.</summary>
    IAsyncEnumerable<IReadOnlyList<ShopProduct>> ListProductsChangedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Products carrying this product number (normally zero or one): the deterministic key of a product create.</summary>
    Task<IReadOnlyList<ShopProduct>> FindProductsByNumberAsync(Integration integration, string productNumber, CancellationToken cancellationToken);

    /// <summary>Creates a product; returns its id. Not retried after it may have reached the shop.</summary>
    Task<string> CreateProductAsync(Integration integration, string productNumber, string name, CancellationToken cancellationToken);

    /// <summary>Sets the product's name.</summary>
    Task UpdateProductAsync(Integration integration, string productId, string name, CancellationToken cancellationToken);

    /// <summary>Creates a variant of a product; returns its id.</summary>
    Task<string> CreateVariantAsync(Integration integration, string productId, string variantNumber, string name, CancellationToken cancellationToken);

    /// <summary>Creates a size of a variant; returns its id.</summary>
    Task<string> CreateSizeAsync(Integration integration, string variantId, string sizeNumber, CancellationToken cancellationToken);
}

public sealed record ShopProduct(string Id, string ProductNumber, string Name, DateTimeOffset UpdatedAt, IReadOnlyList<ShopVariant> Variants);

public sealed record ShopVariant(string Id, string VariantNumber, string Name, IReadOnlyList<ShopSize> Sizes);

public sealed record ShopSize(string Id, string SizeNumber, string Sku);
