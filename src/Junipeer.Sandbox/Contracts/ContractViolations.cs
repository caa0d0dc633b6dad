using System.Collections.Concurrent;

namespace Junipeer.Sandbox.Contracts;

/// <summary>One request an emulator found off the vendor's published contract.</summary>
public sealed record ContractViolation(string Vendor, string Method, string Path, string Message, DateTimeOffset At);

/// <summary>
/// Every off-contract request any emulator received (shared by all vendor modules). In strict mode
/// (<see cref="SandboxOptions.StrictContracts"/>) the emulator also rejects the request with 400 and
/// names the violation; either way it is recorded here and reported at
/// <c>GET /_sandbox/contract/violations</c>, so the tests and the demo can fail the run on any.
/// </summary>
public sealed class ContractViolations(TimeProvider clock)
{
    private readonly ConcurrentQueue<ContractViolation> _items = new();

    public int Count => _items.Count;

    public IReadOnlyList<ContractViolation> All => [.. _items];

    public ContractViolation Record(string vendor, string method, string path, string message)
    {
        var v = new ContractViolation(vendor, method, path, message, clock.GetUtcNow());
        _items.Enqueue(v);
        return v;
    }

    internal void Reset() => _items.Clear();
}
