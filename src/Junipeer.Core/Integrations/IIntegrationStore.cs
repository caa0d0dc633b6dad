namespace Junipeer.Core.Integrations;

/// <summary>Port: integration settings (Integrations table).</summary>
public interface IIntegrationStore
{
    Task<Integration?> GetAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>
    /// The settings as they stood when <paramref name="item"/> was enqueued, or newer: a queue handler must not act
    /// on settings older than the ones its enqueuer saw (a sweep that read "payouts on" enqueued the item; a cached
    /// "payouts off" would drop it). Stores without a cache read as <see cref="GetAsync"/> does.
    /// </summary>
    Task<Integration?> GetForWorkAsync(Sync.WorkItem item, CancellationToken cancellationToken) => GetAsync(item.IntegrationId, cancellationToken);
    Task<IReadOnlyList<Integration>> ListAsync(CancellationToken cancellationToken);
    Task SaveAsync(Integration integration, CancellationToken cancellationToken);
}
