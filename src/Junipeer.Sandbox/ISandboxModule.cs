using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Junipeer.Sandbox;

/// <summary>
/// One vendor emulator in the Sandbox. <see cref="SandboxHost"/> registers every module of
/// <see cref="SandboxState.Modules"/> in a loop: its API routes, its part of the <c>/_sandbox</c>
/// control plane, its request gate (auth, rate limits, faults, contract checks) and its reset.
/// </summary>
public interface ISandboxModule
{
    /// <summary>Vendor name used in call statistics and contract violations, e.g. <c>visma</c>.</summary>
    string Vendor { get; }

    /// <summary>Path prefixes the module serves (e.g. <c>/visma</c>); calls under them are counted as <c>"{vendor} {method} {template}"</c>.</summary>
    IReadOnlyList<(PathString Prefix, string StatsName)> Prefixes { get; }

    void MapRoutes(IEndpointRouteBuilder app);

    void MapControl(IEndpointRouteBuilder app);

    /// <summary>Runs in front of the module's API calls; the default lets every call through.</summary>
    Task GateAsync(HttpContext context, PathString prefix, Func<Task> next) => next();

    /// <summary>Clears the module's data and restores its settings from <see cref="SandboxOptions"/>.</summary>
    void Reset();
}
