using Junipeer.Sandbox.Infrastructure;
using Junipeer.Sandbox.Visma;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Control;

/// <summary>Control plane of the shipments flow: seed and confirm Visma shipments, send Visma webhooks, read nShift and Centra ground truth.</summary>
internal static class ShipmentControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxState state, VismaWebhookSender sender)
    {
        app.MapGet("/_sandbox/visma/{tenant}/shipments", ctx => Wire.WriteObjectAsync(ctx, 200, state.Visma.Shipments(Tenant(ctx))));
        app.MapPost("/_sandbox/visma/{tenant}/shipments", async ctx =>
        {
            var spec = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted) is { } o ? System.Text.Json.JsonSerializer.Deserialize<VismaShipmentSpec>(o, Wire.SerializerOptions) : null;
            if (spec is null)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "Body must be a shipment object." });
                return;
            }

            try
            {
                await Wire.WriteObjectAsync(ctx, 201, state.Visma.AddShipment(Tenant(ctx), spec));
            }
            catch (ArgumentException ex)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = ex.Message });
            }
        });
        app.MapPost("/_sandbox/visma/{tenant}/shipments/{number}/confirm", async ctx =>
        {
            var snap = state.Visma.ConfirmShipment(Tenant(ctx), (string)ctx.Request.RouteValues["number"]!);
            await (snap is null ? Wire.WriteObjectAsync(ctx, 404, new { error = "not found" }) : Wire.WriteObjectAsync(ctx, 200, snap));
        });
        app.MapPost("/_sandbox/visma/webhooks", async ctx =>
        {
            var request = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted) is { } o
                ? System.Text.Json.JsonSerializer.Deserialize<VismaWebhookRequest>(o, Wire.SerializerOptions)
                : null;
            if (request is null)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "Body must be a webhook request." });
                return;
            }

            try
            {
                await Wire.WriteObjectAsync(ctx, 200, await sender.SendAsync(request, ctx.RequestAborted));
            }
            catch (ArgumentException ex)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = ex.Message });
            }
        });
    }

    /// <summary>Inventory Item notifications (stock hints): subscribe a company, unsubscribe, flush, read what was sent.</summary>
    public static void MapInventoryWebhooks(IEndpointRouteBuilder app, SandboxState state, VismaWebhookSender sender)
    {
        app.MapPut("/_sandbox/visma/{tenant}/subscriptions/inventory", async ctx =>
        {
            var sub = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted) is { } o
                ? System.Text.Json.JsonSerializer.Deserialize<VismaInventorySubscription>(o, Wire.SerializerOptions)
                : null;
            if (sub is null)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = "Body must be {targetUrl, secret, dropRate, duplicateRate, seed}." });
                return;
            }

            try
            {
                state.Visma.SubscribeInventory(Tenant(ctx), sub);
            }
            catch (ArgumentException ex)
            {
                await Wire.WriteObjectAsync(ctx, 400, new { error = ex.Message });
                return;
            }

            await Wire.WriteObjectAsync(ctx, 200, new { subscribed = true, @event = VismaWebhookSender.InventoryItemChanged });
        });
        app.MapDelete("/_sandbox/visma/{tenant}/subscriptions/inventory", async ctx =>
        {
            state.Visma.UnsubscribeInventory(Tenant(ctx));
            await Wire.WriteObjectAsync(ctx, 200, new { subscribed = false });
        });
        app.MapPost("/_sandbox/visma/webhooks/inventory/flush", async ctx =>
        {
            await sender.DeliverInventoryAsync(ctx.RequestAborted);
            await Wire.WriteObjectAsync(ctx, 200, state.Visma.InventorySignals);
        });
        app.MapGet("/_sandbox/visma/webhooks/inventory", ctx => Wire.WriteObjectAsync(ctx, 200, state.Visma.InventorySignals));
    }

    private static string Tenant(HttpContext ctx) => (string)ctx.Request.RouteValues["tenant"]!;
}
