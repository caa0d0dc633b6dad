using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Centra;

/// <summary>
/// Centra Integration API emulator: <c>POST /centra/graphql</c>. Every query is parsed, validated and
/// executed by GraphQL.NET against <c>contracts/centra/integration-api.graphql</c> (see <see cref="CentraGraphQl"/>).
/// </summary>
internal static partial class CentraEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState state) =>
        app.MapPost("/centra/graphql", ctx => GraphQlAsync(ctx, state));

    [GeneratedRegex(@"^\s*(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)")]
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
        var query = Wire.AsString(Wire.Get(body, "query"));
        var operation = Wire.AsString(Wire.Get(body, "operationName"));
        if (operation is null && query is not null && OperationInQuery().Match(query) is { Success: true } m)
        {
            operation = m.Groups[1].Value;
        }

        state.Stats.Call("centra POST /graphql " + (operation ?? "(anonymous)"));
        if (body is null || query is null)
        {
            const string message = "The request body must be a JSON object {query, variables, operationName} with a query string.";
            state.Contract.Record("centra", "POST", "/graphql", message);
            await Wire.WriteJsonAsync(ctx, state.Options.StrictContracts ? 400 : 200, Errors(message, "graphql"));
            return;
        }

        var variables = Wire.Get(body, "variables") is JsonObject v
            ? new GraphQL.SystemTextJson.GraphQLSerializer().Deserialize<GraphQL.Inputs>(v.ToJsonString()) ?? GraphQL.Inputs.Empty
            : GraphQL.Inputs.Empty;
        if (state.Faults.TakeCentraGarbage() is { } garbage)
        {
            // A broken gateway or proxy: 200 with a body that is not GraphQL JSON; the operation does not run.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = garbage == GarbageKinds.Html ? "text/html" : "application/json";
            await ctx.Response.WriteAsync(SandboxFaults.GarbageBody(garbage), ctx.RequestAborted);
            return;
        }

        if (state.Faults.RollCentra5xx())
        {
            await Wire.WriteJsonAsync(ctx, 500, Errors("Internal server error (sandbox fault injection).", "internal"));
            return;
        }

        var outcome = await CentraGraphQl.ExecuteAsync(centra, query, operation, variables, ctx.RequestAborted);
        if (!outcome.RequestError && query.TrimStart().StartsWith("mutation", StringComparison.Ordinal) && state.Faults.RollCentraCommitThenDrop())
        {
            // The mutation ran; the reply is lost (connection reset).
            ctx.Abort();
            return;
        }

        if (outcome.RequestError)
        {
            // Off-contract: the query does not parse or validate against contracts/centra/integration-api.graphql,
            // or its variables do not coerce. Recorded in either mode; strict mode answers 400.
            state.Contract.Record("centra", "POST", "/graphql", $"{operation ?? "(anonymous)"}: {outcome.Violation}");
            await Wire.WriteJsonAsync(ctx, state.Options.StrictContracts ? 400 : 200, outcome.Body);
            return;
        }

        await Wire.WriteJsonAsync(ctx, 200, outcome.Body);
    }

    private static async Task TooManyAsync(HttpContext ctx, DateTimeOffset retryAt)
    {
        // Centra documents Retry-After only as "a timestamp"; we send an HTTP-date (UNCERTAIN, see contract).
        ctx.Response.Headers.RetryAfter = retryAt.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
        await Wire.WriteJsonAsync(ctx, 429, Errors("Rate limit exceeded.", "rateLimit"));
    }

    private static JsonObject Extensions() => new()
    {
        ["complexity"] = 0,
        ["permissionsUsed"] = new JsonArray(),
    };

    private static JsonObject Errors(string message, string category) => new()
    {
        ["errors"] = new JsonArray(new JsonObject
        {
            ["message"] = message,
            ["extensions"] = new JsonObject { ["category"] = category },
        }),
        ["extensions"] = Extensions(),
    };
}
