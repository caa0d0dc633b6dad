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

    private readonly ConcurrentDictionary<string, (Integration? Value, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<Integration?> GetAsync(string integrationId, CancellationToken cancellationToken)
    {
        var ttl = TimeSpan.FromSeconds(options.Value.Webhooks.IntegrationCacheSeconds);
        var now = time.GetUtcNow();
        if (ttl > TimeSpan.Zero && _cache.TryGetValue(integrationId, out var hit) && hit.Expires > now)
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

            _cache[integrationId] = (value, now + ttl);
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
