using System.Collections.Concurrent;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Microsoft.Extensions.Options;

namespace Junipeer.Storage;

/// <summary>
/// In-memory read-through cache over the integrations table for the hot webhook path: a read is
/// served from memory for <see cref="WebhookOptions.IntegrationCacheSeconds"/> (0 turns the cache
/// off). A save through this instance invalidates its entry at once; other instances see the change
/// within the TTL. Unknown ids are cached too (so anonymous calls cannot force table reads), with the
/// cache bounded by <see cref="MaxEntries"/>.
/// </summary>
public sealed class CachedIntegrationStore(TableIntegrationStore inner, TimeProvider time, IOptions<JunipeerOptions> options) : IIntegrationStore
{
    public const int MaxEntries = 4096;

    /// <summary>Clock difference tolerated between the instance that enqueued a work item and this one.</summary>
    public static readonly TimeSpan EnqueueSkew = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (Integration? Value, DateTimeOffset Expires, DateTimeOffset Loaded)> _cache = new(StringComparer.Ordinal);

    public Task<Integration?> GetAsync(string integrationId, CancellationToken cancellationToken) =>
        GetAsync(integrationId, DateTimeOffset.MinValue, cancellationToken);

    /// <summary>
    /// A cached copy serves a work item only when it was read after the item was enqueued (plus the clock skew):
    /// settings saved on another instance or by the CLI just before a sweep enqueued the item are never older
    /// than what the handler acts on (review finding: a 300-order chaos run dropped 274 refund checks as
    /// "payouts off" from a 30-second-old copy, right after payouts were switched on).
    /// </summary>
    public Task<Integration?> GetForWorkAsync(Junipeer.Core.Sync.WorkItem item, CancellationToken cancellationToken) =>
        GetAsync(item.IntegrationId, item.EnqueuedAt + EnqueueSkew, cancellationToken);

    private async Task<Integration?> GetAsync(string integrationId, DateTimeOffset loadedAfter, CancellationToken cancellationToken)
    {
        var ttl = TimeSpan.FromSeconds(options.Value.Webhooks.IntegrationCacheSeconds);
        var now = time.GetUtcNow();
        if (ttl > TimeSpan.Zero && _cache.TryGetValue(integrationId, out var hit) && hit.Expires > now && hit.Loaded > loadedAfter)
        {
            return hit.Value;
        }

        var value = await inner.GetAsync(integrationId, cancellationToken);
        if (ttl > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxEntries)
            {
                _cache.Clear();
            }

            _cache[integrationId] = (value, now + ttl, now);
        }

        return value;
    }

    public Task<IReadOnlyList<Integration>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task SaveAsync(Integration integration, CancellationToken cancellationToken)
    {
        _cache.TryRemove(integration.Id, out _);
        try
        {
            await inner.SaveAsync(integration, cancellationToken);
        }
        finally
        {
            _cache.TryRemove(integration.Id, out _);
        }
    }
}
