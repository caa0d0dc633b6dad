using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Klarna;

/// <summary>
/// Klarna Settlements API (<c>/klarna</c>, stands for <c>https://api.klarna.com/settlements/v1</c>): payouts
/// (<c>GET /payouts</c> filtered by payout date and currency, <c>GET /payouts/{payment_reference}</c>) and
/// transactions (<c>GET /transactions</c> by payment reference or order id), paged by <c>size</c> (default 20,
/// at most 500) and <c>offset</c> with Klarna's <c>pagination</c> object. Strict per contracts/klarna: every
/// request is checked against the published OpenAPI (operation, declared query parameters, types, bounds,
/// date-time format) and needs HTTP Basic credentials; off-contract requests are recorded and (strict mode)
/// answered 400 in Klarna's error shape <c>{error_code, error_messages, correlation_id}</c>. Faults: 500,
/// 429, lost responses, a list that grows while paged.
/// </summary>
internal sealed class KlarnaModule(SandboxState state) : ISandboxModule
{
    public const string Prefix = "/klarna";

    public string Vendor => "klarna";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } = [(new PathString(Prefix), "klarna")];

    public void MapRoutes(IEndpointRouteBuilder app)
    {
        var k = state.Klarna;
        app.MapGet(Prefix + "/payouts", ctx =>
        {
            var q = ctx.Request.Query;
            IEnumerable<JsonObject> all = k.Payouts();
            if (q.TryGetValue("start_date", out var start))
                all = all.Where(p => DateTimeOffset.Parse((string)p["payout_date"]!, CultureInfo.InvariantCulture) >= ParseDate(start.ToString()));
            if (q.TryGetValue("end_date", out var end))
                all = all.Where(p => DateTimeOffset.Parse((string)p["payout_date"]!, CultureInfo.InvariantCulture) <= ParseDate(end.ToString()));
            if (q.TryGetValue("currency_code", out var currency))
                all = all.Where(p => string.Equals((string?)p["currency_code"], currency.ToString(), StringComparison.OrdinalIgnoreCase));
            return PageAsync(ctx, "payouts", [.. all], k.Take(s => s.GrowTotals, (s, v) => s.GrowTotals = v));
        });
        app.MapGet(Prefix + "/payouts/{payment_reference}", ctx =>
        {
            var id = (string)ctx.Request.RouteValues["payment_reference"]!;
            return k.Payout(id) is { } p ? Wire.WriteJsonAsync(ctx, 200, p) : ErrorAsync(ctx, 404, "NOT_FOUND", $"Payout with payment reference {id} was not found.");
        });
        app.MapGet(Prefix + "/transactions", ctx =>
        {
            var q = ctx.Request.Query;
            var reference = q.TryGetValue("payment_reference", out var r) ? r.ToString() : null;
            var order = q.TryGetValue("order_id", out var o) ? o.ToString() : null;
            return PageAsync(ctx, "transactions", k.Transactions(reference, order), k.Take(s => s.GrowTotals, (s, v) => s.GrowTotals = v));
        });
    }

    private static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Klarna's offset paging: <c>{&lt;name&gt;: [...], pagination: {count, total, offset, next?, prev?}}</c>.</summary>
    private static Task PageAsync(HttpContext ctx, string name, List<JsonObject> items, bool grown)
    {
        var q = ctx.Request.Query;
        var size = q.TryGetValue("size", out var s) ? int.Parse(s.ToString(), CultureInfo.InvariantCulture) : 20;
        var offset = q.TryGetValue("offset", out var o) ? int.Parse(o.ToString(), CultureInfo.InvariantCulture) : 0;
        var page = items.Skip(offset).Take(size).ToList();
        var path = ctx.Request.Path.Value!;
        string Link(int at)
        {
            var rest = string.Join("&", q.Where(kv => kv.Key is not ("offset" or "size")).Select(kv => kv.Key + "=" + Uri.EscapeDataString(kv.Value.ToString())));
            return $"{ctx.Request.Scheme}://{ctx.Request.Host}{path}?{(rest.Length > 0 ? rest + "&" : "")}offset={at}&size={size}";
        }

        var pagination = new JsonObject { ["count"] = page.Count, ["total"] = items.Count + (grown ? 1 : 0), ["offset"] = offset };
        if (offset + size < items.Count)
            pagination["next"] = Link(offset + size);
        if (offset > 0)
            pagination["prev"] = Link(Math.Max(0, offset - size));
        return Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            [name] = new JsonArray([.. page.Select(p => (JsonNode)p)]),
            ["pagination"] = pagination,
        });
    }

    public void MapControl(IEndpointRouteBuilder app)
    {
        var k = state.Klarna;
        app.MapPost("/_sandbox/klarna/payouts", async ctx =>
        {
            KlarnaPayoutSeed? seed;
            try
            {
                seed = await JsonSerializer.DeserializeAsync<KlarnaPayoutSeed>(ctx.Request.Body, Wire.SerializerOptions, ctx.RequestAborted);
            }
            catch (JsonException)
            {
                seed = null;
            }

            if (seed is null)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "body must be a Klarna payout seed" });
                return;
            }

            await Wire.WriteJsonAsync(ctx, 201, k.AddPayout(seed));
        });
        app.MapGet("/_sandbox/klarna/payouts", ctx => Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["payouts"] = new JsonArray([.. k.Payouts().Select(p => (JsonNode)new JsonObject
            {
                ["payout"] = p,
                ["transactions"] = new JsonArray([.. k.Transactions((string)p["payment_reference"]!, null).Select(t => (JsonNode)t)]),
            })]),
        }));
        app.MapPut("/_sandbox/klarna/faults", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            k.Fail5xx = (int)(Wire.Long(body, "fail5xx") ?? k.Fail5xx);
            k.RateLimited = (int)(Wire.Long(body, "rateLimited") ?? k.RateLimited);
            k.DropResponses = (int)(Wire.Long(body, "dropResponses") ?? k.DropResponses);
            k.GrowTotals = (int)(Wire.Long(body, "growTotals") ?? k.GrowTotals);
            await Wire.WriteObjectAsync(ctx, 200, new { fail5xx = k.Fail5xx, rateLimited = k.RateLimited, dropResponses = k.DropResponses, growTotals = k.GrowTotals });
        });
    }

    public async Task GateAsync(HttpContext context, PathString prefix, Func<Task> next)
    {
        var k = state.Klarna;
        var path = context.Request.Path.Value![Prefix.Length..];
        var violations = KlarnaContract.Instance.Validate(context.Request.Method, path,
            context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
        var auth = context.Request.Headers.Authorization.ToString();
        string? credentials = null;
        if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                credentials = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
            }
            catch (FormatException)
            {
                credentials = null;
            }
        }

        if (credentials is null)
            violations = [.. violations, "No HTTP Basic credentials (the contract's security scheme basic_auth)."];
        if (violations.Count > 0)
        {
            foreach (var message in violations)
                state.Contract.Record(Vendor, context.Request.Method, context.Request.Path.Value!, message);
            if (state.Options.StrictContracts && credentials is not null)
            {
                await ErrorAsync(context, KlarnaContract.Instance.Find(context.Request.Method, path) is null ? 404 : 400, "BAD_VALUE", [.. violations]);
                return;
            }
        }

        if (credentials is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credentials), Encoding.UTF8.GetBytes(k.Username + ":" + k.Password)))
        {
            await ErrorAsync(context, 401, "UNAUTHORIZED", "Invalid credentials.");
            return;
        }

        if (k.Take(s => s.RateLimited, (s, v) => s.RateLimited = v))
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "RATE_LIMITED", "Too many requests.");
            return;
        }

        if (k.Take(s => s.Fail5xx, (s, v) => s.Fail5xx = v))
        {
            await ErrorAsync(context, 500, "INTERNAL_ERROR", "Sandbox fault: internal error.");
            return;
        }

        if (k.Take(s => s.DropResponses, (s, v) => s.DropResponses = v))
        {
            // The request is served, then the connection is cut before the answer arrives.
            context.Response.Body = Stream.Null;
            await next();
            context.Abort();
            return;
        }

        await next();
    }

    public void Reset() => state.Klarna.Reset();

    private static Task ErrorAsync(HttpContext ctx, int status, string code, params string[] messages) =>
        Wire.WriteJsonAsync(ctx, status, new JsonObject
        {
            ["error_code"] = code,
            ["error_messages"] = new JsonArray([.. messages.Select(m => (JsonNode?)JsonValue.Create(m))]),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        });
}
