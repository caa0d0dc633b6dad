using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox.Centra;

/// <summary>
/// Thin module wrapper around the existing Centra emulator (<see cref="CentraEndpoints"/>,
/// <see cref="CentraState"/>); Centra's own files are left as they are. Its control-plane routes
/// (orders, settings, webhooks) are still mapped by <c>ControlEndpoints.Map</c> because they need
/// the host's webhook sender; they can move here when the Centra emulator is reworked.
/// </summary>
internal sealed class CentraModule(SandboxState state) : ISandboxModule
{
    public string Vendor => "centra";

    public IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; } = [(new PathString("/centra"), "centra")];

    public void MapRoutes(IEndpointRouteBuilder app) => CentraEndpoints.Map(app, state);

    public void MapControl(IEndpointRouteBuilder app)
    {
        // See the class remarks: mapped by ControlEndpoints.Map for now.
    }

    public void Reset() => state.Centra.Reset();
}
