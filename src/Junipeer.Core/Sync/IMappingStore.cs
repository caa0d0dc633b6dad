namespace Junipeer.Core.Sync;

/// <summary>Port: entity mappings (shop id → ERP id), e.g. customer e-mail → customer number.</summary>
public interface IMappingStore
{
    Task<string?> GetAsync(string integrationId, string kind, string externalKey, CancellationToken cancellationToken);
    Task SetAsync(string integrationId, string kind, string externalKey, string erpId, CancellationToken cancellationToken);
}

public static class MappingKinds
{
    public const string CustomerByEmail = "customer-email";

    /// <summary>Buyer key (see CustomerResolver.BuyerKey) → ERP customer number.</summary>
    public const string CustomerByBuyer = "customer-buyer";

    /// <summary>ERP article number → shop SKU (built by <c>junipeer reimport products</c>).</summary>
    public const string Sku = "sku";

    /// <summary>Key "fingerprint" → fingerprint of the SKU settings the SKU mappings were built with.</summary>
    public const string SkuSettings = "sku-settings";

    /// <summary>Shop customer id → ERP customer number (customer sync).</summary>
    public const string CustomerByShopId = "customer-shop-id";

    /// <summary>ERP customer number → shop customer id (customer sync).</summary>
    public const string ShopCustomerByErp = "customer-erp-shop";

    /// <summary>ERP customer number → fingerprint of the ERP-side content both sides agree on (echo guard).</summary>
    public const string CustomerErpFingerprint = "customer-erp-fp";

    /// <summary>Shop customer id → fingerprint of the shop-side content both sides agree on (echo guard).</summary>
    public const string CustomerShopFingerprint = "customer-shop-fp";

    /// <summary>Product sync: article number → fingerprint of the article content both sides agree on (echo guard).</summary>
    public const string ProductErpFingerprint = "product-erp-fp";

    /// <summary>Product sync: Centra full SKU → fingerprint of the size's content both sides agree on (echo guard).</summary>
    public const string ProductShopFingerprint = "product-shop-fp";
}
