using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>Port: ERP articles (inventory items) with their attributes and per-warehouse availability.</summary>
public interface IErpArticles
{
    /// <summary>
    /// Articles page by page, ordered by number. With <paramref name="availabilityChangedSince"/> only articles
    /// whose availability changed at or after it (Visma: <c>availabilityLastModifiedDateTime</c> &gt;=).
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<ErpArticle>> ListArticlesAsync(Integration integration, DateTimeOffset? availabilityChangedSince, CancellationToken cancellationToken);
}

public sealed record ErpArticle(
    string Number,
    string Description,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<ErpWarehouseStock> Warehouses);

public sealed record ErpWarehouseStock(string Warehouse, decimal Available, decimal AvailableForShipment, DateTimeOffset? LastModified);
