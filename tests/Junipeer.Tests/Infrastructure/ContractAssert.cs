using Junipeer.Sandbox;

namespace Junipeer.Tests.Infrastructure;

/// <summary>Fails a test when the strict Sandbox saw any off-contract Visma request.</summary>
internal static class ContractAssert
{
    public static void NoVismaViolations(SandboxState state)
    {
        var violations = state.Contract.All.Where(v => v.Vendor == "visma").ToList();
        Assert.True(violations.Count == 0,
            "Off-contract Visma requests reached the Sandbox:\n" + string.Join("\n", violations.Select(v => $"{v.Method} {v.Path}: {v.Message}")));
    }
}
