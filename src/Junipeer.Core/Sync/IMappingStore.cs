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
}
