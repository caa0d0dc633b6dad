using System.Text.Json;

namespace Junipeer.Core.Sync;

/// <summary>One piece of work a webhook acknowledgement hands on, with its optional visibility delay.</summary>
public sealed record IntakeItem(WorkItem Item, TimeSpan? Delay = null);

/// <summary>
/// Port: the webhook acknowledgement's one durable write. Returns only when every item is stored
/// (on its work queue, or inside an intake batch that the <c>IntakeFanOut</c> trigger hands on).
/// </summary>
public interface IIntakeQueue
{
    Task EnqueueAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken);
}

/// <summary>Port: writes one <see cref="WorkBatch"/> on queue <c>intake</c> (Azure Storage queues, Base64 bodies).</summary>
public interface IWorkBatchQueue
{
    Task SendBatchAsync(WorkBatch batch, CancellationToken cancellationToken);
}

/// <summary>
/// Several webhooks' work in one queue message (queue <c>intake</c>), written by the group commit of
/// concurrent acknowledgements and fanned out to the work queues by the <c>IntakeFanOut</c> trigger.
/// </summary>
public sealed record WorkBatch
{
    public const string BatchKind = "intake-batch";

    public int V { get; init; } = 1;

    public string Kind { get; init; } = BatchKind;

    public required IReadOnlyList<IntakeItem> Items { get; init; }

    /// <summary>The batch, or null when the body is not a readable version-1 batch of valid work items.</summary>
    public static WorkBatch? TryParse(string body)
    {
        try
        {
            var batch = JsonSerializer.Deserialize<WorkBatch>(body, JunipeerJson.Options);
            return batch is { V: 1, Kind: BatchKind, Items.Count: > 0 }
                   && batch.Items.All(i => i?.Item is { V: 1 } w && !string.IsNullOrWhiteSpace(w.Kind) && !string.IsNullOrWhiteSpace(w.IntegrationId) && !string.IsNullOrWhiteSpace(w.EntityKey))
                ? batch
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
