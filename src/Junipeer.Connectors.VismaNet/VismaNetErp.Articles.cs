using System.Globalization;
using System.Runtime.CompilerServices;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Articles for the stock and catalogue flows: GET /v1/inventory (paged, pageSize up to 5000 per the
/// published parameter text), with <c>availabilityLastModifiedDateTime</c> + <c>Condition=&gt;=</c> for the
/// stock delta, and the expand flags sent explicitly ("by default set to true, but will be changed").
/// </summary>
public sealed partial class VismaNetErp : IErpArticles
{
    /// <summary>Articles per page (the endpoint's published maximum).</summary>
    internal const int ArticlePageSize = 5000;

    private const int MaxArticlePages = 10_000;

    public async IAsyncEnumerable<IReadOnlyList<ErpArticle>> ListArticlesAsync(Integration integration, DateTimeOffset? availabilityChangedSince, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new List<(string, string)>
        {
            ("expandWarehouseDetail", "true"),
            ("expandAttribute", "true"),
            ("expandCrossReference", "false"),
            ("expandAttachment", "false"),
            ("expandAccountInformation", "false"),
            ("expandInventoryUnits", "false"),
            ("expandSupplierDetails", "false"),
            ("expandSalesCategories", "false"),
            ("expandNote", "false"),
        };
        if (availabilityChangedSince is { } since)
        {
            // Format and time zone of this filter are not documented: the lastModifiedDateTime formats, in UTC
            // (a company-local reading east of UTC only widens the window; the flow's overlap covers the rest).
            query.Add(("availabilityLastModifiedDateTime", since.UtcDateTime.ToString(LastModifiedFilterFormat, CultureInfo.InvariantCulture)));
            query.Add(("availabilityLastModifiedDateTimeCondition", ">="));
        }

        await foreach (var page in GetPagesAsync<InventoryDto>(integration, VismaOperation.ListArticles, ["v1", "inventory"], [.. query], ArticlePageSize,
                           i => i.Metadata, MaxArticlePages, cancellationToken))
        {
            yield return page.Where(i => !string.IsNullOrEmpty(i.InventoryNumber)).Select(ToArticle).ToList();
        }
    }

    private static ErpArticle ToArticle(InventoryDto i) => new(
        i.InventoryNumber!,
        i.Description ?? "",
        (i.Attributes ?? []).Where(a => a.Id is not null)
            .GroupBy(a => a.Id!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.OrdinalIgnoreCase),
        [.. (i.WarehouseDetails ?? []).Where(w => w.Warehouse is not null).Select(w => new ErpWarehouseStock(
            w.Warehouse!, w.Available ?? 0m, w.AvailableForShipment ?? 0m, ParseTimestamp(w.LastModifiedDateTime)))]);

}
