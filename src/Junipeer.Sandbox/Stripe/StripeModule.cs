using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Stripe;

/// <summary>Body of <c>POST /_sandbox/stripe/events</c>: a signed Stripe event about a seeded payout.</summary>
public sealed record StripeEventRequest
{
    public string PayoutId { get; init; } = "";

    public string Type { get; init; } = "payout.paid";

    /// <summary>When set, the event is POSTed there with its <c>Stripe-Signature</c> header.</summary>
    public string? TargetUrl { get; init; }

    /// <summary>Signing time (default: the Sandbox clock).</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Signing secret (default: <see cref="SandboxOptions.StripeWebhookSecret"/>).</summary>
    public string? Secret { get; init; }
}

/// <summary>The signed event: raw body, header value, and the target's status when it was sent.</summary>
public sealed record StripeSignedEvent(string Body, string Signature, int? Status);

/// <summary>
/// Stripe (<c>/stripe</c>, stands for https://api.stripe.com): payouts, balance transactions by
/// payout (paged, <c>expand[]=data.source</c>), charges; strict checks against
/// contracts/stripe (operation, declared query parameters and their types, limit 1..100), auth
/// <c>Authorization: Bearer sk_…</c>, Stripe's error shape <c>{error: {type, code, message, param}}</c>,
/// faults (429, 500), a control plane to seed payouts and to send signed webhook events.
/// </summary>
internal sealed class StripeModule(SandboxState state) : ISandboxModule
{
    public const string Prefix = "/stripe";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Vendor => "stripe";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } = [(new PathString(Prefix), "stripe")];

    public void MapRoutes(IEndpointRouteBuilder app)
    {
        var s = state.Stripe;
        app.MapGet(Prefix + "/v1/payouts", ctx => ListPayoutsAsync(ctx, s));
        app.MapGet(Prefix + "/v1/payouts/{payout}", ctx =>
        {
            var id = (string)ctx.Request.RouteValues["payout"]!;
            return s.Payout(id) is { } p ? Wire.WriteJsonAsync(ctx, 200, p) : ErrorAsync(ctx, 404, "invalid_request_error", $"No such payout: '{id}'", "resource_missing", "id");
        });
        app.MapGet(Prefix + "/v1/balance_transactions", ctx => ListTransactionsAsync(ctx, s));
        app.MapGet(Prefix + "/v1/charges/{charge}", ctx =>
        {
            var id = (string)ctx.Request.RouteValues["charge"]!;
            return s.ApiObject(id) is { } c && (string?)c["object"] == "charge"
                ? Wire.WriteJsonAsync(ctx, 200, c)
                : ErrorAsync(ctx, 404, "invalid_request_error", $"No such charge: '{id}'", "resource_missing", "id");
        });
    }

    public void MapControl(IEndpointRouteBuilder app)
    {
        var s = state.Stripe;
        app.MapPost("/_sandbox/stripe/payouts", async ctx =>
        {
            var seed = await JsonSerializer.DeserializeAsync<StripePayoutSeed>(ctx.Request.Body, Wire.SerializerOptions, ctx.RequestAborted);
            if (seed is null)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "body must be a payout seed" });
                return;
            }

            await Wire.WriteJsonAsync(ctx, 201, s.AddPayout(seed));
        });
        app.MapGet("/_sandbox/stripe/payouts", ctx => Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["payouts"] = new JsonArray([.. s.Payouts().Select(p => (JsonNode)new JsonObject
            {
                ["payout"] = p,
                ["transactions"] = new JsonArray([.. s.Transactions((string)p["id"]!).Select(t => (JsonNode)t)]),
            })]),
        }));
        app.MapPut("/_sandbox/stripe/faults", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            s.Fail5xx = (int)(Wire.Long(body, "fail5xx") ?? s.Fail5xx);
            s.RateLimited = (int)(Wire.Long(body, "rateLimited") ?? s.RateLimited);
            await Wire.WriteObjectAsync(ctx, 200, new { fail5xx = s.Fail5xx, rateLimited = s.RateLimited });
        });
        app.MapPost("/_sandbox/stripe/events", async ctx =>
        {
            var request = await JsonSerializer.DeserializeAsync<StripeEventRequest>(ctx.Request.Body, Wire.SerializerOptions, ctx.RequestAborted);
            if (request is null || s.Payout(request.PayoutId) is null)
            {
                await Wire.WriteObjectAsync(ctx, 404, new { error = "no such seeded payout" });
                return;
            }

            await Wire.WriteObjectAsync(ctx, 200, await SendEventAsync(s, request, ctx.RequestAborted));
        });
    }

    /// <summary>Builds the event, signs it as Stripe does (<c>t=…,v1=hex HMAC-SHA256(secret, "{t}.{body}")</c>) and POSTs it when a target is given.</summary>
    public static async Task<StripeSignedEvent> SendEventAsync(StripeState s, StripeEventRequest request, CancellationToken ct)
    {
        var at = request.At ?? s.Owner.Clock.GetUtcNow();
        var body = new JsonObject
        {
            ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..24],
            ["object"] = "event",
            ["api_version"] = "2019-12-03",
            ["created"] = at.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = s.Payout(request.PayoutId) },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = request.Type,
        }.ToJsonString();
        var t = at.ToUnixTimeSeconds();
        var signature = "t=" + t.ToString(CultureInfo.InvariantCulture) + ",v1=" + Sign(request.Secret ?? s.WebhookSecret, t, body);
        s.EventsSent.Enqueue(request.Type + " " + request.PayoutId);
        int? status = null;
        if (!string.IsNullOrEmpty(request.TargetUrl))
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, request.TargetUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            message.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
            using var response = await Http.SendAsync(message, ct);
            status = (int)response.StatusCode;
        }

        return new StripeSignedEvent(body, signature, status);
    }

    public static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    public async Task GateAsync(HttpContext context, PathString prefix, Func<Task> next)
    {
        var s = state.Stripe;
        var path = context.Request.Path.Value![Prefix.Length..];
        var violations = StripeContract.Instance.Validate(context.Request.Method, path,
            context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
        if (violations.Count > 0)
        {
            foreach (var (_, message) in violations)
                state.Contract.Record(Vendor, context.Request.Method, context.Request.Path.Value!, message);
            if (state.Options.StrictContracts)
            {
                var first = violations[0];
                await ErrorAsync(context, first.Param is null ? 404 : 400, "invalid_request_error", string.Join(" ", violations.Select(v => v.Message)),
                    first.Param is null ? null : "parameter_unknown", first.Param);
                return;
            }
        }

        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(auth[7..].Trim()), Encoding.UTF8.GetBytes(s.SecretKey)))
        {
            state.Contract.Record(Vendor, context.Request.Method, context.Request.Path.Value!, "Missing or wrong Authorization: Bearer sk_… header.");
            await ErrorAsync(context, 401, "invalid_request_error", "Invalid API Key provided.", null, null);
            return;
        }

        if (TakeOne(() => s.RateLimited, v => s.RateLimited = v))
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "invalid_request_error", "Too many requests hit the API too quickly.", "rate_limit", null);
            return;
        }

        if (TakeOne(() => s.Fail5xx, v => s.Fail5xx = v))
        {
            await ErrorAsync(context, 500, "api_error", "Sandbox fault: internal error.", null, null);
            return;
        }

        await next();
    }

    private static readonly Lock FaultGate = new();

    private static bool TakeOne(Func<int> get, Action<int> set)
    {
        lock (FaultGate)
        {
            if (get() <= 0)
                return false;
            set(get() - 1);
            return true;
        }
    }

    public void Reset() => state.Stripe.Reset();

    private static Task ErrorAsync(HttpContext ctx, int status, string type, string message, string? code, string? param)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
            error["code"] = code;
        if (param is not null)
            error["param"] = param;
        return Wire.WriteJsonAsync(ctx, status, new JsonObject { ["error"] = error });
    }

    private static async Task ListPayoutsAsync(HttpContext ctx, StripeState s)
    {
        var q = ctx.Request.Query;
        IEnumerable<JsonObject> all = s.Payouts();
        if (q.TryGetValue("status", out var status))
            all = all.Where(p => (string?)p["status"] == status.ToString());
        all = Range(all, q, "created", p => (long)p["created"]!);
        all = Range(all, q, "arrival_date", p => (long)p["arrival_date"]!);
        await PageAsync(ctx, all.ToList(), "/v1/payouts");
    }

    private static IEnumerable<JsonObject> Range(IEnumerable<JsonObject> items, IQueryCollection q, string name, Func<JsonObject, long> value)
    {
        long? Get(string op) => q.TryGetValue($"{name}[{op}]", out var v) ? long.Parse(v.ToString(), CultureInfo.InvariantCulture) : null;
        if (Get("gte") is { } gte)
            items = items.Where(i => value(i) >= gte);
        if (Get("gt") is { } gt)
            items = items.Where(i => value(i) > gt);
        if (Get("lte") is { } lte)
            items = items.Where(i => value(i) <= lte);
        if (Get("lt") is { } lt)
            items = items.Where(i => value(i) < lt);
        if (q.TryGetValue(name, out var exact))
            items = items.Where(i => value(i) == long.Parse(exact.ToString(), CultureInfo.InvariantCulture));
        return items;
    }

    private static async Task ListTransactionsAsync(HttpContext ctx, StripeState s)
    {
        var q = ctx.Request.Query;
        List<JsonObject> all;
        if (q.TryGetValue("payout", out var payout))
        {
            var p = s.Payout(payout.ToString());
            if (p is null)
            {
                await ErrorAsync(ctx, 404, "invalid_request_error", $"No such payout: '{payout}'", "resource_missing", "payout");
                return;
            }

            all = s.Transactions(payout.ToString());
        }
        else
        {
            all = [.. s.Payouts().SelectMany(p => s.Transactions((string)p["id"]!))];
        }

        if (q.TryGetValue("type", out var type))
            all = [.. all.Where(t => (string?)t["type"] == type.ToString())];
        var expand = q.TryGetValue("expand[]", out var e) && e.Contains("data.source");
        foreach (var t in all)
        {
            if (!expand && t["source"] is JsonObject src)
                t["source"] = (string?)src["id"];
        }

        await PageAsync(ctx, all, "/v1/balance_transactions");
    }

    /// <summary>Stripe list paging: limit (default 10), starting_after / ending_before by object id, has_more.</summary>
    private static async Task PageAsync(HttpContext ctx, List<JsonObject> items, string url)
    {
        var q = ctx.Request.Query;
        var limit = q.TryGetValue("limit", out var l) ? int.Parse(l.ToString(), CultureInfo.InvariantCulture) : 10;
        var start = 0;
        if (q.TryGetValue("starting_after", out var after))
        {
            var i = items.FindIndex(x => (string?)x["id"] == after.ToString());
            if (i < 0)
            {
                await ErrorAsync(ctx, 400, "invalid_request_error", $"Invalid starting_after: no such object '{after}' in this list.", "resource_missing", "starting_after");
                return;
            }

            start = i + 1;
        }

        var end = items.Count;
        if (q.TryGetValue("ending_before", out var before))
        {
            var i = items.FindIndex(x => (string?)x["id"] == before.ToString());
            end = i < 0 ? 0 : i;
            start = Math.Max(0, end - limit);
        }

        var page = items.Skip(start).Take(Math.Min(limit, end - start)).ToList();
        await Wire.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page.Select(p => (JsonNode)p)]),
            ["has_more"] = start + page.Count < end,
            ["url"] = url,
        });
    }
}
