using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;

namespace Junipeer.Core.Products;

/// <summary>The SKU mappings of an integration as the stock flow uses them, checked against the current SKU rule.</summary>
public sealed record SkuMappingSet(string Fingerprint, IReadOnlyDictionary<string, string> SkuByArticle);

/// <summary>
/// Guards the SKU mappings: they are valid only for the SKU rule they were built with (its fingerprint is
/// stored beside them). When the rule changed while mappings exist, every flow that needs them refuses with
/// SKU_MAPPING_CHANGED until <c>junipeer reimport products</c> rebuilds them (seed: changing the SKU rule
/// breaks stock sync unless everything is re-imported).
/// </summary>
public sealed class SkuMappingGuard(IMappingBulkStore bulk, IMappingStore mappings)
{
    public const string FingerprintKey = "fingerprint";

    /// <summary>The mappings, or SKU_MAPPING_CHANGED when they were built with another SKU rule.</summary>
    public async Task<SkuMappingSet> LoadAsync(Integration integration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var current = SkuComposer.Fingerprint(integration.Sku);
        var stored = await mappings.GetAsync(integration.Id, MappingKinds.SkuSettings, FingerprintKey, cancellationToken);
        var set = await bulk.ListAsync(integration.Id, MappingKinds.Sku, cancellationToken);
        if (set.Count > 0 && !string.Equals(stored, current, StringComparison.Ordinal))
        {
            throw new JunipeerException(ErrorCodes.SkuMappingChanged,
                $"Integration '{integration.Id}' has {set.Count} SKU mappings built with another SKU rule (fingerprint {stored ?? "none"}; now {current}: {SkuComposer.Describe(integration.Sku)}). " +
                $"Stock and products stay stopped until `junipeer reimport products --integration {integration.Id}` rebuilds the mappings, or the previous SKU settings are restored.");
        }

        return new SkuMappingSet(current, set);
    }
}
