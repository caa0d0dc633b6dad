using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Infrastructure;
using Junipeer.Sandbox.Visma;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Control;

/// <summary>The <c>/_sandbox</c> control plane: seed data, fault knobs, ground truth. No auth, no faults.</summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState state, CentraWebhookSender sender)
    {
        app.MapPost("/_sandbox/reset", ctx =>
        {
            state.Reset();
            return Ok(ctx, new { reset = true });
        });

        app.MapGet("/_sandbox/stats", ctx => Ok(ctx, new { calls = state.Stats.Calls, tokensIssued = state.Stats.TokensIssued }));

        app.MapGet("/_sandbox/contract/violations", ctx => Ok(ctx, new { count = state.Contract.Count, violations = state.Contract.All }));

        app.MapGet("/_sandbox/faults", ctx => Ok(ctx, state.Faults.Snapshot()));
        app.MapPut("/_sandbox/faults", async ctx =>
        {
            var body = await ReadAsync<FaultSettings>(ctx);
            if (body is null)
            {
                await BadAsync(ctx, "Body must be a JSON object of fault knobs.");
                return;
            }

            state.Faults.Apply(body);
            await Ok(ctx, state.Faults.Snapshot());
        });

        // ------------------------------------------------------------ Centra
        app.MapGet("/_sandbox/centra/orders", ctx => Ok(ctx, state.Centra.Orders()));

        // Catalogue (stock flow): warehouses and product sizes with their SKUs; ground truth with stock per warehouse.
        app.MapGet("/_sandbox/centra/sizes", ctx => Ok(ctx, state.Centra.Sizes()));
        app.MapPost("/_sandbox/centra/catalogue", async ctx =>
        {
            var node = await ReadNodeAsync(ctx);
            List<int>? warehouses;
            List<CentraSizeSpec>? sizes;
            try
            {
                warehouses = node?["warehouses"]?.Deserialize<List<int>>(Wire.SerializerOptions) ?? [];
                sizes = node?["sizes"]?.Deserialize<List<CentraSizeSpec>>(Wire.SerializerOptions) ?? [];
            }
            catch (JsonException)
            {
                warehouses = null;
                sizes = null;
            }

            if (node is not JsonObject || warehouses is null || sizes is null)
            {
                await BadAsync(ctx, "Body must be {\"warehouses\": [1], \"sizes\": [{sku, sizeNumber, stock: {\"1\": 5}}]}.");
                return;
            }

            state.Centra.AddWarehouses([.. warehouses]);
            await Ok(ctx, new { ids = state.Centra.AddSizes([.. sizes]) });
        });
        app.MapGet("/_sandbox/centra/orders/{number:int}", ctx =>
            state.Centra.Order(RouteInt(ctx, "number")) is { } o ? Ok(ctx, o) : NotFoundAsync(ctx));
        app.MapPost("/_sandbox/centra/orders", async ctx =>
        {
            var node = await ReadNodeAsync(ctx);
            var specs = node switch
            {
                JsonArray a => a.Deserialize<List<CentraOrderSpec>>(Wire.SerializerOptions),
                JsonObject o when o["orders"] is JsonArray a => a.Deserialize<List<CentraOrderSpec>>(Wire.SerializerOptions),
                JsonObject o => [o.Deserialize<CentraOrderSpec>(Wire.SerializerOptions)!],
                _ => null,
            };
            if (specs is null)
            {
                await BadAsync(ctx, "Body must be an order, an array of orders or {\"orders\":[...]}.");
                return;
            }

            var created = new List<CentraOrderSnapshot>();
            try
            {
                foreach (var spec in specs)
                {
                    created.Add(state.Centra.AddOrder(spec));
                }
            }
            catch (ArgumentException ex)
            {
                await BadAsync(ctx, ex.Message);
                return;
            }

            await Wire.WriteObjectAsync(ctx, 201, created);
        });
        app.MapMethods("/_sandbox/centra/orders/{number:int}", ["PATCH"], async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            DateTimeOffset? updatedAt = Wire.Str(body, "updatedAt") is { } s &&
                DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            var updated = state.Centra.UpdateOrder(RouteInt(ctx, "number"), Wire.Str(body, "status"), Wire.Bool(body, "isOnHold"), updatedAt);
            await (updated is null ? NotFoundAsync(ctx) : Ok(ctx, updated));
        });
        app.MapPut("/_sandbox/centra/settings", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            if (Wire.Str(body, "accessToken") is { } token)
            {
                state.Centra.AccessToken = token;
            }

            if (Wire.Long(body, "rateLimit") is { } limit)
            {
                state.Centra.RateLimit = (int)limit;
            }

            if (Wire.Long(body, "rateWindowSeconds") is { } window)
            {
                state.Centra.RateWindow = TimeSpan.FromSeconds(window);
            }

            // The token's permissions: "permissions" replaces the set, "withheldPermissions" takes some away from all.
            if (Wire.Arr(body, "permissions") is { } granted)
            {
                state.Centra.TokenPermissions = granted.Select(Wire.AsString).OfType<string>().ToHashSet(StringComparer.Ordinal);
            }

            if (Wire.Arr(body, "withheldPermissions") is { } withheld)
            {
                var remove = withheld.Select(Wire.AsString).OfType<string>().ToHashSet(StringComparer.Ordinal);
                state.Centra.TokenPermissions = CentraState.AllPermissions.Where(p => !remove.Contains(p)).ToHashSet(StringComparer.Ordinal);
            }

            await Ok(ctx, new
            {
                accessToken = state.Centra.AccessToken,
                rateLimit = state.Centra.RateLimit,
                rateWindowSeconds = state.Centra.RateWindow.TotalSeconds,
                permissions = (state.Centra.TokenPermissions ?? CentraState.AllPermissions.ToHashSet(StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList(),
            });
        });
        app.MapPost("/_sandbox/centra/webhooks", async ctx =>
        {
            var request = await ReadAsync<WebhookRequest>(ctx);
            if (request is null)
            {
                await BadAsync(ctx, "Body must be a webhook request.");
                return;
            }

            try
            {
                var result = await sender.SendAsync(request, ctx.RequestAborted);
                await Ok(ctx, new
                {
                    delivered = result.Delivered,
                    dropped = result.Dropped,
                    duplicated = result.Duplicated,
                    statuses = result.Statuses,
                    deliveries = result.Deliveries,
                });
            }
            catch (ArgumentException ex)
            {
                await BadAsync(ctx, ex.Message);
            }
        });
    }

    /// <summary>The Visma part of the control plane (mapped by <see cref="VismaModule.MapControl"/>).</summary>
    internal static void MapVisma(IEndpointRouteBuilder app, SandboxState state)
    {
        app.MapGet("/_sandbox/visma/companies", ctx => Ok(ctx, state.Visma.TenantIds));
        app.MapPost("/_sandbox/visma/companies", async ctx =>
        {
            var spec = await ReadAsync<VismaCompanySpec>(ctx);
            if (spec is null)
            {
                await BadAsync(ctx, "Body must be a company object.");
                return;
            }

            try
            {
                state.Visma.CreateCompany(spec);
            }
            catch (ArgumentException ex)
            {
                await BadAsync(ctx, ex.Message);
                return;
            }

            await Wire.WriteObjectAsync(ctx, 201, new { tenantId = spec.TenantId, clientId = spec.ClientId });
        });
        app.MapPut("/_sandbox/visma/settings", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            if (Wire.Long(body, "tokenExpiresInSeconds") is { } exp)
            {
                state.Visma.TokenExpiresInSeconds = (int)exp;
            }

            if (Wire.Long(body, "rateLimit") is { } limit)
            {
                state.Visma.RateLimit = (int)limit;
            }

            if (Wire.Long(body, "rateWindowSeconds") is { } window)
            {
                state.Visma.RateWindow = TimeSpan.FromSeconds(window);
            }

            if (Wire.Bool(body, "revokeTokens") == true)
            {
                state.Visma.RevokeAllTokens();
            }

            await Ok(ctx, new
            {
                tokenExpiresInSeconds = state.Visma.TokenExpiresInSeconds,
                rateLimit = state.Visma.RateLimit,
                rateWindowSeconds = state.Visma.RateWindow.TotalSeconds,
            });
        });
        app.MapGet("/_sandbox/visma/{tenant}/invoices", ctx => Ok(ctx, state.Visma.Invoices(RouteString(ctx, "tenant"))));
        app.MapGet("/_sandbox/visma/{tenant}/payments", ctx => Ok(ctx, state.Visma.Payments(RouteString(ctx, "tenant"))));
        app.MapGet("/_sandbox/visma/{tenant}/customers", ctx => Ok(ctx, state.Visma.Customers(RouteString(ctx, "tenant"))));

        // Inventory (stock and catalogue flows): seed articles, move stock, read the ground truth.
        app.MapGet("/_sandbox/visma/{tenant}/inventory", ctx => Ok(ctx, state.Visma.InventoryItems(RouteString(ctx, "tenant"))));
        app.MapPost("/_sandbox/visma/{tenant}/inventory", async ctx =>
        {
            var tenant = RouteString(ctx, "tenant");
            var items = (await ReadNodeAsync(ctx))?["items"]?.Deserialize<List<VismaInventorySpec>>(Wire.SerializerOptions);
            if (items is null || !state.Visma.TenantIds.Contains(tenant, StringComparer.OrdinalIgnoreCase))
            {
                await BadAsync(ctx, items is null ? "Body must be {\"items\": [{inventoryNumber, description, attributes, available}]}." : $"Unknown tenant {tenant}.");
                return;
            }

            try
            {
                state.Visma.UpsertInventory(tenant, [.. items]);
            }
            catch (ArgumentException ex)
            {
                await BadAsync(ctx, ex.Message);
                return;
            }

            await Ok(ctx, new { count = items.Count });
        });
        app.MapPut("/_sandbox/visma/{tenant}/inventory/{inventoryNumber}/available", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            var warehouse = Wire.Str(body, "warehouse");
            var available = Wire.Dec(body, "available");
            if (warehouse is null || available is null)
            {
                await BadAsync(ctx, "Body must be {\"warehouse\": \"MAIN\", \"available\": 12}.");
                return;
            }

            try
            {
                state.Visma.SetAvailable(RouteString(ctx, "tenant"), RouteString(ctx, "inventoryNumber"), warehouse, available.Value);
            }
            catch (KeyNotFoundException)
            {
                await NotFoundAsync(ctx);
                return;
            }

            await Ok(ctx, new { warehouse, available });
        });

    }

    private static Task Ok<T>(HttpContext ctx, T body) => Wire.WriteObjectAsync(ctx, 200, body);

    private static Task BadAsync(HttpContext ctx, string error) => Wire.WriteObjectAsync(ctx, 400, new { error });

    private static Task NotFoundAsync(HttpContext ctx) => Wire.WriteObjectAsync(ctx, 404, new { error = "not found" });

    private static async Task<JsonNode?> ReadNodeAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext ctx)
        where T : class
    {
        var node = await ReadNodeAsync(ctx);
        try
        {
            return node is JsonObject o ? o.Deserialize<T>(Wire.SerializerOptions) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string RouteString(HttpContext ctx, string name) => Convert.ToString(ctx.Request.RouteValues[name], CultureInfo.InvariantCulture) ?? "";

    private static int RouteInt(HttpContext ctx, string name) => int.Parse(RouteString(ctx, name), CultureInfo.InvariantCulture);
}
