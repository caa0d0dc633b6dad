using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.NShift;

/// <summary>nShift Delivery (<c>/nshift</c>): shipment create (print), search, validation errors, tracking numbers, faults.</summary>
internal sealed class NShiftModule(SandboxState state) : ISandboxModule
{
    public string Vendor => "nshift";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } = [(new PathString("/nshift"), "nshift")];

    public void MapRoutes(IEndpointRouteBuilder app) => NShiftEndpoints.Map(app, state);

    public void MapControl(IEndpointRouteBuilder app)
    {
        app.MapGet("/_sandbox/nshift/shipments", ctx => Wire.WriteObjectAsync(ctx, 200, new { bookings = state.NShift.Bookings, doubleBooked = state.NShift.DoubleBooked }));
        app.MapPut("/_sandbox/nshift/faults", async ctx =>
        {
            var body = await Wire.ReadObjectAsync(ctx.Request, ctx.RequestAborted);
            var n = state.NShift;
            n.Fail5xx = (int)(Wire.Long(body, "fail5xx") ?? n.Fail5xx);
            n.CommitThenDrop = (int)(Wire.Long(body, "commitThenDrop") ?? n.CommitThenDrop);
            n.RateLimited = (int)(Wire.Long(body, "rateLimited") ?? n.RateLimited);
            await Wire.WriteObjectAsync(ctx, 200, new { fail5xx = n.Fail5xx, commitThenDrop = n.CommitThenDrop, rateLimited = n.RateLimited });
        });
    }

    public Task GateAsync(HttpContext context, PathString prefix, Func<Task> next) => NShiftEndpoints.GateAsync(context, next, state);

    public void Reset() => state.NShift.Reset();
}
