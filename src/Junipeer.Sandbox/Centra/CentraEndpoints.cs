using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Centra;

/// <summary>
/// Centra Integration API emulator: <c>POST /centra/graphql</c>. Not a GraphQL engine: it dispatches on
/// <c>operationName</c> and always returns the full order selection of docs/sandbox-contract.md.
/// </summary>
internal static partial class CentraEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState state) =>
        app.MapPost("/centra/graphql", ctx => GraphQlAsync(ctx, state));

    [GeneratedRegex(@"^\s*query\s+([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex OperationInQuery();

    private static async Task GraphQlAsync(HttpContext ctx, SandboxState state)
    {
        var centra = state.Centra;
        var auth = ctx.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
        token ??= ctx.Request.Cookies["graphql-access"];
        if (token is null || !string.Equals(token, centra.AccessToken, StringComparison.Ordinal))
        {
            await Wire.WriteJsonAsync(ctx, 401, Errors("Unauthorized: missing or invalid access token.", "authentication"));
            return;
        }

        var now = state.Clock.GetUtcNow();
        if (state.Faults.TakeCentra429() is { } seconds)
        {
            await TooManyAsync(ctx, now.AddSeconds(seconds));
            return;
        }

        if (centra.CountRequest() is { } retryAt)
        {
            await TooManyAsync(ctx, retryAt);
            return;
        }

        var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
        if (body is null)
        {
            await Wire.WriteJsonAsync(ctx, 400, Errors("The request body must be a JSON object {query, variables, operationName}.", "graphql"));
            return;
        }

        var operation = Wire.AsString(Wire.Get(body, "operationName"));
        if (operation is null && Wire.AsString(Wire.Get(body, "query")) is { } query && OperationInQuery().Match(query) is { Success: true } m)
        {
            operation = m.Groups[1].Value;
        }

        state.Stats.Call("centra POST /graphql " + (operation ?? "(anonymous)"));
        var variables = Wire.Get(body, "variables") as JsonObject;
        JsonArray orders;
        switch (operation)
        {
            case "OrderByNumber":
                if (Wire.AsLong(Wire.Get(variables, "number")) is not { } number)
                {
                    await Wire.WriteJsonAsync(ctx, 200, Errors("Variable \"$number\" of required type \"Int!\" was not provided.", "graphql"));
                    return;
                }

                orders = centra.OrderByNumber(number);
                break;

            case "OrdersChangedSince":
                var fromText = Wire.AsString(Wire.Get(variables, "from"));
                var limit = Wire.AsLong(Wire.Get(variables, "limit"));
                var page = Wire.AsLong(Wire.Get(variables, "page"));
                if (fromText is null || !DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
                {
                    await Wire.WriteJsonAsync(ctx, 200, Errors("Variable \"$from\" of required type \"DateTimeTz!\" was not provided or is invalid.", "graphql"));
                    return;
                }

                if (limit is null or < 1 || page is null or < 1)
                {
                    await Wire.WriteJsonAsync(ctx, 200, Errors("Variables \"$limit\" and \"$page\" must be positive integers.", "graphql"));
                    return;
                }

                orders = centra.OrdersChangedSince(from, (int)Math.Min(limit.Value, 1000), (int)Math.Min(page.Value, int.MaxValue));
                break;

            default:
                await Wire.WriteJsonAsync(ctx, 200, Errors($"The sandbox does not support operation '{operation}'.", "graphql"));
                return;
        }

        await Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["data"] = new JsonObject { ["orders"] = orders },
            ["extensions"] = Extensions(orders.Count),
        });
    }

    private static async Task TooManyAsync(HttpContext ctx, DateTimeOffset retryAt)
    {
        // Centra documents Retry-After only as "a timestamp"; we send an HTTP-date (UNCERTAIN, see contract).
        ctx.Response.Headers.RetryAfter = retryAt.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
        await Wire.WriteJsonAsync(ctx, 429, Errors("Rate limit exceeded.", "rateLimit"));
    }

    private static JsonObject Extensions(int orders) => new()
    {
        ["complexity"] = 10 + (orders * 25),
        ["permissionsUsed"] = new JsonArray("Order:read", "Customer:read", "Payment:read"),
    };

    private static JsonObject Errors(string message, string category) => new()
    {
        ["errors"] = new JsonArray(new JsonObject
        {
            ["message"] = message,
            ["extensions"] = new JsonObject { ["category"] = category },
        }),
        ["extensions"] = Extensions(0),
    };
}
