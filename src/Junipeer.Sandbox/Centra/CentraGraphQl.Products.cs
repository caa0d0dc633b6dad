using System.Globalization;
using System.Text.Json.Nodes;
using GraphQL;

namespace Junipeer.Sandbox.Centra;

/// <summary>Resolvers of the product sync: <c>Query.products</c> and the product, variant and size mutations.</summary>
internal static partial class CentraGraphQl
{
    private static List<object?> ResolveProducts(CentraState centra, IResolveFieldContext ctx)
    {
        var where = ctx.GetArgument<Dictionary<string, object?>?>("where");
        var sort = AsList(ctx.Arguments?.TryGetValue("sort", out var s) == true ? s.Value : null).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToList();
        var limit = ctx.GetArgument<int?>("limit") ?? 20;
        var page = ctx.GetArgument<int?>("page") ?? 1;
        if (limit < 1 || page < 1)
        {
            ctx.Errors.Add(new CentraGraphQlError("limit and page must be positive.", "graphql") { Path = ctx.Path });
            return [];
        }

        IEnumerable<JsonObject> items = centra.ProductsJson(p => ProductMatches(p, where)).Cast<JsonObject>();
        IOrderedEnumerable<JsonObject>? ordered = null;
        foreach (var key in sort.Count == 0 ? ["id_ASC"] : sort)
        {
            var cut = key.LastIndexOf('_');
            var field = key[..cut];
            var desc = key[(cut + 1)..] == "DESC";
            Func<JsonObject, IComparable?> selector = field switch
            {
                "id" => p => (int?)p["id"],
                _ => p => ParseDate((string?)p[field]),
            };
            ordered = ordered is null
                ? desc ? items.OrderByDescending(selector) : items.OrderBy(selector)
                : desc ? ordered.ThenByDescending(selector) : ordered.ThenBy(selector);
        }

        return [.. (ordered ?? items).Skip((int)Math.Min((long)(page - 1) * limit, int.MaxValue)).Take(limit).Select(p => (object?)p)];
    }

    private static bool ProductMatches(JsonObject p, Dictionary<string, object?>? where)
    {
        foreach (var (key, value) in where ?? [])
        {
            if (value is null)
            {
                continue;
            }

            var ok = key switch
            {
                "id" => InList(value, (int?)p["id"]),
                "productNumber" => string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), (string?)p["productNumber"], StringComparison.Ordinal),
                "updatedAt" => InRange(value, ParseDate((string?)p["updatedAt"])),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject ResolveCreateProduct(CentraState centra, IResolveFieldContext ctx) =>
        centra.CreateProduct(ctx.GetArgument<Dictionary<string, object?>>("input"));

    private static JsonObject ResolveUpdateProduct(CentraState centra, IResolveFieldContext ctx) =>
        centra.UpdateProduct(ctx.GetArgument<Dictionary<string, object?>>("product"), ctx.GetArgument<Dictionary<string, object?>>("input"));

    private static JsonObject ResolveCreateProductVariant(CentraState centra, IResolveFieldContext ctx) =>
        centra.CreateProductVariant(ctx.GetArgument<Dictionary<string, object?>>("input"));

    private static JsonObject ResolveCreateProductSize(CentraState centra, IResolveFieldContext ctx) =>
        centra.CreateProductSize(ctx.GetArgument<Dictionary<string, object?>>("input"));
}
