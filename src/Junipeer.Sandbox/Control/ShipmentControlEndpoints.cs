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

    private static string Tenant(HttpContext ctx) => (string)ctx.Request.RouteValues["tenant"]!;
}
