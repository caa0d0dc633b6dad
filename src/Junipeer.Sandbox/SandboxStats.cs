using System.Collections.Concurrent;

namespace Junipeer.Sandbox;

/// <summary>Call counters, keyed "vendor METHOD /route/template", and tokens issued per tenant.</summary>
public sealed class SandboxStats
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Counts, e.g. <c>"visma POST /v2/customerinvoice"</c> or <c>"centra POST /graphql OrderByNumber"</c>.</summary>
    public IReadOnlyDictionary<string, long> Calls => new SortedDictionary<string, long>(_calls, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> TokensIssued => new SortedDictionary<string, long>(_tokens, StringComparer.Ordinal);

    /// <summary>Count for one key (0 when never called).</summary>
    public long Count(string key) => _calls.TryGetValue(key, out var n) ? n : 0;

    /// <summary>Sum over all keys starting with the given prefix, e.g. <c>"visma "</c>.</summary>
    public long CountPrefix(string prefix) => _calls.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);

    public long TokensFor(string tenantId) => _tokens.TryGetValue(tenantId, out var n) ? n : 0;

    internal void Call(string key) => _calls.AddOrUpdate(key, 1, (_, n) => n + 1);

    internal void TokenIssued(string tenantId) => _tokens.AddOrUpdate(tenantId, 1, (_, n) => n + 1);

    internal void Reset()
    {
        _calls.Clear();
        _tokens.Clear();
    }
}
