using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Microsoft.Extensions.Logging;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Centra's product sizes and stock (Integration API, GraphQL): ListSkus → <c>productSizes(limit, page)</c>
/// pages; SetStock → one <c>setStock(input: {warehouse: {id}, productSizes: [{productSize: {SKU}, quantity}],
/// stockQuantityType: PHYSICAL})</c> per call, on the shared <see cref="CentraGraphQlClient"/>. setStock sets
/// absolute levels, so sending it again after a lost response changes nothing: it is sent as an idempotent
/// request (retried on 5xx, timeouts and broken connections like a read).
/// </summary>
public sealed class CentraCatalogue(CentraGraphQlClient graphQl, ILogger<CentraCatalogue> logger) : IShopCatalogue
{
    /// <summary>Sizes per productSizes page (Centra's list limits are 1–200 where documented).</summary>
    public const int SizePageSize = 200;

    private const int MaxSizePages = 100_000;

    internal const string ProductSizesOperation = "ProductSizes";
    internal const string SetStockOperation = "SetStock";

    internal const string ProductSizesQuery = """
        query ProductSizes($limit: Int!, $page: Int!) {
          productSizes(limit: $limit, page: $page) { id SKU }
        }
        """;

    internal const string SetStockMutation = """
        mutation SetStock($input: StockSetInput!) {
          setStock(input: $input) {
            stockChanges { id }
            userErrors { message path }
          }
        }
        """;

    public async IAsyncEnumerable<IReadOnlyList<ShopSku>> ListSkusAsync(Integration integration, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; page <= MaxSizePages; page++)
        {
            var data = await graphQl.QueryAsync<ProductSizesData>(integration, ProductSizesOperation, ProductSizesQuery,
                new Dictionary<string, object> { ["limit"] = SizePageSize, ["page"] = page }, cancellationToken);
            var sizes = data.ProductSizes ?? [];
            if (sizes.Count == 0)
                yield break;
            yield return sizes.Where(s => s.Id is not null).Select(s => new ShopSku(s.Id!.Value.ToString(CultureInfo.InvariantCulture), s.Sku ?? "")).ToList();
            if (sizes.Count < SizePageSize)
                yield break;
        }
    }

    public async Task<StockPushResult> SetStockAsync(Integration integration, string shopWarehouseId, IReadOnlyList<StockLevel> levels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (!int.TryParse(shopWarehouseId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var warehouse))
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Centra warehouse id '{shopWarehouseId}' is not a number.");
        if (levels.Count == 0)
            return new StockPushResult([]);

        var input = new Dictionary<string, object>
        {
            ["warehouse"] = new Dictionary<string, object> { ["id"] = warehouse },
            ["description"] = "Junipeer: stock from Visma.net",
            ["stockQuantityType"] = "PHYSICAL",
            ["productSizes"] = levels.Select(l => new Dictionary<string, object>
            {
                ["productSize"] = new Dictionary<string, object> { ["SKU"] = l.Sku },
                ["quantity"] = l.Quantity,
            }).ToList(),
        };
        // Idempotent (absolute levels): the client may resend it after a lost response.
        var data = await graphQl.QueryAsync<SetStockData>(integration, SetStockOperation, SetStockMutation,
            new Dictionary<string, object> { ["input"] = input }, cancellationToken);
        var errors = data.SetStock?.UserErrors ?? [];
        var unknown = new List<string>();
        foreach (var error in errors)
        {
            // Path ["input", "productSizes", "<index>"] names the line (the emulator's shape; Centra's: VERIFY).
            if (error.Path is { Count: >= 3 } path && int.TryParse(path[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < levels.Count)
            {
                unknown.Add(levels[index].Sku);
                continue;
            }

            throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra refused setStock for warehouse {warehouse}: {error.Message}");
        }

        logger.LogDebug("Centra setStock warehouse {Warehouse}: {Count} sizes, {Unknown} unknown", warehouse, levels.Count, unknown.Count);
        return new StockPushResult(unknown);
    }

    internal sealed record ProductSizesData
    {
        [JsonPropertyName("productSizes")] public IReadOnlyList<ProductSizeDto>? ProductSizes { get; init; }
    }

    internal sealed record ProductSizeDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
        [JsonPropertyName("SKU")] public string? Sku { get; init; }
    }

    internal sealed record SetStockData
    {
        [JsonPropertyName("setStock")] public SetStockPayload? SetStock { get; init; }
    }

    internal sealed record SetStockPayload
    {
        [JsonPropertyName("userErrors")] public IReadOnlyList<UserErrorDto>? UserErrors { get; init; }
    }

    internal sealed record UserErrorDto
    {
        [JsonPropertyName("message")] public string? Message { get; init; }
        [JsonPropertyName("path")] public IReadOnlyList<string>? Path { get; init; }
    }
}
