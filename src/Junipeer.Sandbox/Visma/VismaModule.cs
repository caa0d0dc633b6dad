using Junipeer.Sandbox.Control;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Visma;

/// <summary>Visma Connect (<c>/visma-connect</c>) and the Visma.net ERP API (<c>/visma</c>).</summary>
internal sealed class VismaModule(SandboxState state) : ISandboxModule
{
    public string Vendor => "visma";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } =
        [(new PathString("/visma-connect"), "visma-connect"), (new PathString("/visma"), "visma")];

    public void MapRoutes(IEndpointRouteBuilder app) => VismaEndpoints.Map(app, state);

    public void MapControl(IEndpointRouteBuilder app) => ControlEndpoints.MapVisma(app, state);

    /// <summary>The ERP API sits behind the Visma gate (auth, rate limit, faults, contract); the token endpoint does not.</summary>
    public Task GateAsync(HttpContext context, PathString prefix, Func<Task> next) =>
        prefix == "/visma" ? VismaEndpoints.GateAsync(context, next, state) : next();

    public void Reset() => state.Visma.Reset();
}
