using System.Globalization;
using System.Text.Json.Nodes;
using GraphQL;

namespace Junipeer.Sandbox.Centra;

/// <summary>Resolvers of the customer sync: <c>Query.customers</c>, <c>Mutation.createCustomer</c>, <c>Mutation.updateCustomer</c>.</summary>
internal static partial class CentraGraphQl
{
    private static List<object?> ResolveCustomers(CentraState centra, IResolveFieldContext ctx)
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

        IEnumerable<JsonObject> items = centra.CustomerJsonSnapshot().Where(c => CustomerMatches(c, where));
        IOrderedEnumerable<JsonObject>? ordered = null;
        foreach (var key in sort.Count == 0 ? ["id_ASC"] : sort)
        {
            var cut = key.LastIndexOf('_');
            var field = key[..cut];
            var desc = key[(cut + 1)..] == "DESC";
            Func<JsonObject, IComparable?> selector = field switch
            {
                "id" => c => (int?)c["id"],
                _ => c => ParseDate((string?)c[field]),
            };
            ordered = ordered is null
                ? desc ? items.OrderByDescending(selector) : items.OrderBy(selector)
                : desc ? ordered.ThenByDescending(selector) : ordered.ThenBy(selector);
        }

        return [.. (ordered ?? items).Skip((int)Math.Min((long)(page - 1) * limit, int.MaxValue)).Take(limit).Select(c => (object?)c)];
    }

    private static bool CustomerMatches(JsonObject c, Dictionary<string, object?>? where)
    {
        foreach (var (key, value) in where ?? [])
        {
            if (value is null)
            {
                continue;
            }

            var ok = key switch
            {
                "id" => InList(value, (int?)c["id"]),
                "email" => string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), (string?)c["email"], StringComparison.OrdinalIgnoreCase),
                "updatedAt" => InRange(value, ParseDate((string?)c["updatedAt"])),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject? ResolveCreateCustomer(CentraState centra, IResolveFieldContext ctx)
    {
        var (payload, error) = centra.CreateCustomer(ctx.GetArgument<Dictionary<string, object?>>("input"));
        if (error is not null)
        {
            ctx.Errors.Add(new CentraGraphQlError(error, "validation") { Path = ctx.Path });
        }

        return payload;
    }

    private static JsonObject? ResolveUpdateCustomer(CentraState centra, IResolveFieldContext ctx)
    {
        var (payload, error) = centra.UpdateCustomer(ctx.GetArgument<Dictionary<string, object?>>("customer"), ctx.GetArgument<Dictionary<string, object?>>("input"));
        if (error is not null)
        {
            ctx.Errors.Add(new CentraGraphQlError(error, "validation") { Path = ctx.Path });
        }

        return payload;
    }
}
