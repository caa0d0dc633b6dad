using System.Collections.Concurrent;

namespace Junipeer.Connectors.Http;

/// <summary>
/// The client's own view of a vendor's rate-limit window, per key (integration or company): when an
/// answer said "0 calls remaining, resets in N s", later calls wait for the reset in process when it
/// is short, and are refused without being sent when it is long (the caller requeues with the wait).
/// </summary>
public sealed class RateLimitWindow
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RateLimitWindow(TimeProvider time) => _time = time;

    /// <summary>Records what a response's rate-limit headers said.</summary>
    public void Observe(string key, int? remaining, int? resetSeconds)
    {
        if (remaining == 0 && resetSeconds is > 0)
            _blockedUntil[key] = _time.GetUtcNow() + TimeSpan.FromSeconds(resetSeconds.Value);
        else if (remaining > 0)
            _blockedUntil.TryRemove(key, out _);
    }

    /// <summary>How long the window stays closed for the key (zero when open).</summary>
    public TimeSpan Wait(string key)
    {
        if (!_blockedUntil.TryGetValue(key, out var until))
            return TimeSpan.Zero;
        var wait = until - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
            return wait;
        _blockedUntil.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
        return TimeSpan.Zero;
    }
}
