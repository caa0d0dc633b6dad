using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues;
using Junipeer.Core;
using Junipeer.Core.Sync;

namespace Junipeer.Storage;

/// <summary>
/// Azure Storage queues with Base64 bodies (what the Functions trigger expects). Messages never
/// expire (a TTL would silently drop work after 7 days); delays use the visibility timeout.
/// </summary>
public sealed class QueueWorkQueue(StorageClients clients) : IWorkQueue, IWorkBatchQueue
{
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new();

    public static string QueueFor(string kind) => kind switch
    {
        WorkKinds.Order => StorageNames.OrdersQueue,
        WorkKinds.Payout => "payouts",
        WorkKinds.Shipment => StorageNames.ShipmentsQueue,
        WorkKinds.Refund => "refunds",
        WorkKinds.StockHint => StorageNames.StockHintsQueue,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No queue for this kind of work."),
    };

    public async Task EnqueueAsync(WorkItem item, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        var queue = await GetAsync(QueueFor(item.Kind));
        var delay = visibilityDelay is { } d ? (d > MaxDelay ? MaxDelay : d < TimeSpan.Zero ? TimeSpan.Zero : d) : (TimeSpan?)null;
        await queue.SendMessageAsync(JsonSerializer.Serialize(item, JunipeerJson.Options), delay, NeverExpires, cancellationToken);
    }

    /// <summary>One intake batch (several webhooks' work) on queue <c>intake</c>, never expiring like every work message.</summary>
    public async Task SendBatchAsync(WorkBatch batch, CancellationToken cancellationToken)
    {
        var queue = await GetAsync(StorageNames.IntakeQueue);
        await queue.SendMessageAsync(JsonSerializer.Serialize(batch, JunipeerJson.Options), null, NeverExpires, cancellationToken);
    }

    public Task<QueueClient> GetAsync(string name) => _queues.GetOrAdd(name, n => new Lazy<Task<QueueClient>>(async () =>
    {
        var q = clients.Queue(n);
        await q.CreateIfNotExistsAsync();
        return q;
    })).Value;

    public static WorkItem? TryParse(string body)
    {
        try
        {
            var item = JsonSerializer.Deserialize<WorkItem>(body, JunipeerJson.Options);
            return item is { V: 1 } && !string.IsNullOrWhiteSpace(item.IntegrationId) && !string.IsNullOrWhiteSpace(item.EntityKey) ? item : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
