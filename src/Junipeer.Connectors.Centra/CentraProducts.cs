using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Centra products for the product sync (Integration API): <c>products(where: {updatedAt: {from}}, sort: [updatedAt_ASC,
/// id_ASC])</c> read by keyset, lookups by product number, <c>createProduct</c>, <c>updateProduct</c>,
/// <c>createProductVariant</c>, <c>createProductSize</c>. Creates are sent once (a lost answer is resolved by the flow's
/// lookup by number, never by resending); the rename sets an absolute value and may be resent like a read. Mutations
/// answer 200 with <c>userErrors</c> on refusal: those become <c>SHOP_MUTATION_REJECTED</c> with Centra's text.
/// </summary>
public sealed class CentraProducts(CentraGraphQlClient graphQl) : IShopProducts
{
    public const int PageSize = 50;
    private const int MaxPages = 100_000;
    private const string Fields = "id productNumber name updatedAt variants { id variantNumber name productSizes { id SKU sizeNumber } }";

    internal const string ChangedQuery = $$"""
        query ProductsChangedSince($from: DateTimeTz!, $limit: Int!, $page: Int!) {
          products(where: { updatedAt: { from: $from } }, sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) { {{Fields}} }
        }
        """;

    internal const string AllQuery = $$"""
        query AllProducts($limit: Int!, $page: Int!) {
          products(sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) { {{Fields}} }
        }
        """;

    internal const string ByNumberQuery = $$"""
        query ProductsByNumber($number: String!) {
          products(where: { productNumber: $number }, limit: 20, page: 1) { {{Fields}} }
        }
        """;

    internal const string CreateProductMutation = """
        mutation CreateProduct($input: ProductCreateInput!) {
          createProduct(input: $input) { product { id } userErrors { message path } }
        }
        """;

    internal const string UpdateProductMutation = """
        mutation UpdateProduct($product: ProductInput!, $input: ProductUpdateInput!) {
          updateProduct(product: $product, input: $input) { product { id } userErrors { message path } }
        }
        """;

    internal const string CreateVariantMutation = """
        mutation CreateProductVariant($input: ProductVariantCreateInput!) {
          createProductVariant(input: $input) { productVariant { id } userErrors { message path } }
        }
        """;

    internal const string CreateSizeMutation = """
        mutation CreateProductSize($input: ProductSizeCreateInput!) {
          createProductSize(input: $input) { productSize { id SKU } userErrors { message path } }
        }
        """;

    public async IAsyncEnumerable<IReadOnlyList<ShopProduct>> ListProductsChangedSinceAsync(Integration integration, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<(string, DateTimeOffset)>();
        var from = since;
        var page = 1;
        for (var n = 0; n < MaxPages; n++)
        {
            var variables = new Dictionary<string, object> { ["limit"] = PageSize, ["page"] = page };
            if (from is { } f)
                variables["from"] = f.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            var data = await graphQl.QueryAsync<ProductsData>(integration, from is null ? "AllProducts" : "ProductsChangedSince", from is null ? AllQuery : ChangedQuery,
                variables, cancellationToken);
            var items = (data.Products ?? []).Select(ToShop).ToList();
            var fresh = items.Where(p => seen.Add((p.Id, p.UpdatedAt))).ToList();
            if (fresh.Count > 0)
                yield return fresh;
            if (items.Count < PageSize)
                yield break;

            // Keyset on updatedAt, paging on within one second when a whole page shares it (the seen set drops repeats).
            var newest = items.Max(p => p.UpdatedAt);
            if (from is { } current && newest <= current)
            {
                page++;
            }
            else
            {
                from = newest;
                page = 1;
            }
        }

        throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra's product delta did not end within {MaxPages} pages.", FailureKind.Malformed);
    }

    public async Task<IReadOnlyList<ShopProduct>> FindProductsByNumberAsync(Integration integration, string productNumber, CancellationToken cancellationToken)
    {
        var data = await graphQl.QueryAsync<ProductsData>(integration, "ProductsByNumber", ByNumberQuery,
            new Dictionary<string, object> { ["number"] = productNumber }, cancellationToken);
        // Exact match on our side: whether Centra's filter is exact is not documented.
        return [.. (data.Products ?? []).Select(ToShop).Where(p => string.Equals(p.ProductNumber, productNumber, StringComparison.Ordinal))];
    }

    public async Task<string> CreateProductAsync(Integration integration, string productNumber, string name, CancellationToken cancellationToken)
    {
        var result = await graphQl.MutateAsync<CreateProductData>(integration, "CreateProduct", CreateProductMutation,
            new Dictionary<string, object> { ["input"] = new Dictionary<string, object> { ["productNumber"] = productNumber, ["name"] = name } }, cancellationToken);
        Check(result.CreateProduct?.UserErrors, $"createProduct {productNumber}");
        return IdOf(result.CreateProduct?.Product?.Id, "createProduct");
    }

    public async Task UpdateProductAsync(Integration integration, string productId, string name, CancellationToken cancellationToken)
    {
        // An absolute value: a repeat after a lost answer changes nothing, so it may be resent like a read.
        var result = await graphQl.QueryAsync<UpdateProductData>(integration, "UpdateProduct", UpdateProductMutation,
            new Dictionary<string, object>
            {
                ["product"] = new Dictionary<string, object> { ["id"] = ParseId(productId) },
                ["input"] = new Dictionary<string, object> { ["name"] = name },
            }, cancellationToken);
        Check(result.UpdateProduct?.UserErrors, $"updateProduct {productId}");
    }

    public async Task<string> CreateVariantAsync(Integration integration, string productId, string variantNumber, string name, CancellationToken cancellationToken)
    {
        var result = await graphQl.MutateAsync<CreateVariantData>(integration, "CreateProductVariant", CreateVariantMutation,
            new Dictionary<string, object>
            {
                ["input"] = new Dictionary<string, object>
                {
                    ["product"] = new Dictionary<string, object> { ["id"] = ParseId(productId) },
                    ["variantNumber"] = variantNumber,
                    ["name"] = name,
                },
            }, cancellationToken);
        Check(result.CreateProductVariant?.UserErrors, $"createProductVariant {variantNumber} of product {productId}");
        return IdOf(result.CreateProductVariant?.ProductVariant?.Id, "createProductVariant");
    }

    public async Task<string> CreateSizeAsync(Integration integration, string variantId, string sizeNumber, CancellationToken cancellationToken)
    {
        // size {name}: the size of the variant's size chart. The sync does not manage size charts: the size number names
        // the size (an empty one "One Size"). Whether Centra accepts a name outside the chart is not documented (VERIFY).
        var result = await graphQl.MutateAsync<CreateSizeData>(integration, "CreateProductSize", CreateSizeMutation,
            new Dictionary<string, object>
            {
                ["input"] = new Dictionary<string, object>
                {
                    ["productVariant"] = new Dictionary<string, object> { ["id"] = ParseId(variantId) },
                    ["size"] = new Dictionary<string, object> { ["name"] = sizeNumber.Length > 0 ? sizeNumber : "One Size" },
                    ["sizeNumber"] = sizeNumber,
                },
            }, cancellationToken);
        Check(result.CreateProductSize?.UserErrors, $"createProductSize {sizeNumber} of variant {variantId}");
        return IdOf(result.CreateProductSize?.ProductSize?.Id, "createProductSize");
    }

    private static int ParseId(string id) =>
        int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra id '{id}' is not a number.");

    private static string IdOf(int? id, string what) =>
        id?.ToString(CultureInfo.InvariantCulture) ?? throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered {what} without the id.", FailureKind.Malformed);

    private static void Check(IReadOnlyList<UserErrorDto>? errors, string what)
    {
        if (errors is { Count: > 0 })
            throw new CentraApiException(ErrorCodes.ShopMutationRejected, $"Centra refused {what}: {string.Join("; ", errors.Select(e => e.Message))}", FailureKind.Rejected);
    }

    private static ShopProduct ToShop(ProductDto p) => new(
        p.Id?.ToString(CultureInfo.InvariantCulture) ?? "",
        p.ProductNumber ?? "",
        p.Name ?? "",
        DateTimeOffset.TryParse(p.UpdatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue,
        [.. (p.Variants ?? []).Select(v => new ShopVariant(
            v.Id?.ToString(CultureInfo.InvariantCulture) ?? "",
            v.VariantNumber ?? "",
            v.Name ?? "",
            [.. (v.ProductSizes ?? []).Select(s => new ShopSize(s.Id?.ToString(CultureInfo.InvariantCulture) ?? "", s.SizeNumber ?? "", s.Sku ?? ""))]))]);

    internal sealed record ProductsData
    {
        [JsonPropertyName("products")] public IReadOnlyList<ProductDto>? Products { get; init; }
    }

    internal sealed record ProductDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
        [JsonPropertyName("productNumber")] public string? ProductNumber { get; init; }
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("updatedAt")] public string? UpdatedAt { get; init; }
        [JsonPropertyName("variants")] public IReadOnlyList<VariantDto>? Variants { get; init; }
    }

    internal sealed record VariantDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
        [JsonPropertyName("variantNumber")] public string? VariantNumber { get; init; }
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("productSizes")] public IReadOnlyList<SizeDto>? ProductSizes { get; init; }
    }

    internal sealed record SizeDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
        [JsonPropertyName("SKU")] public string? Sku { get; init; }
        [JsonPropertyName("sizeNumber")] public string? SizeNumber { get; init; }
    }

    internal sealed record IdDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
    }

    internal sealed record UserErrorDto
    {
        [JsonPropertyName("message")] public string? Message { get; init; }
    }

    internal sealed record CreateProductData
    {
        [JsonPropertyName("createProduct")] public ProductPayload? CreateProduct { get; init; }
    }

    internal sealed record UpdateProductData
    {
        [JsonPropertyName("updateProduct")] public ProductPayload? UpdateProduct { get; init; }
    }

    internal sealed record ProductPayload
    {
        [JsonPropertyName("product")] public IdDto? Product { get; init; }
        [JsonPropertyName("userErrors")] public IReadOnlyList<UserErrorDto>? UserErrors { get; init; }
    }

    internal sealed record CreateVariantData
    {
        [JsonPropertyName("createProductVariant")] public VariantPayload? CreateProductVariant { get; init; }
    }

    internal sealed record VariantPayload
    {
        [JsonPropertyName("productVariant")] public IdDto? ProductVariant { get; init; }
        [JsonPropertyName("userErrors")] public IReadOnlyList<UserErrorDto>? UserErrors { get; init; }
    }

    internal sealed record CreateSizeData
    {
        [JsonPropertyName("createProductSize")] public SizePayload? CreateProductSize { get; init; }
    }

    internal sealed record SizePayload
    {
        [JsonPropertyName("productSize")] public IdDto? ProductSize { get; init; }
        [JsonPropertyName("userErrors")] public IReadOnlyList<UserErrorDto>? UserErrors { get; init; }
    }
}
