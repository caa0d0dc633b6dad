using System.Text.Json;
using Junipeer.Core;
using Junipeer.Core.Sync;

namespace Junipeer.Storage;

/// <summary>
/// The webhook acknowledgement's durable write, group-committed (<see cref="GroupCommit{T}"/>).
/// A flush that carries one webhook's work writes it straight onto its work queues, exactly as
/// before (a lone sender pays one enqueue per item and no extra hop). A flush that carries several
/// webhooks' work, because they arrived while the previous flush was in flight, writes them as
/// one <see cref="WorkBatch"/> message on queue <c>intake</c> (split only when it would outgrow a
/// queue message), and the <c>IntakeFanOut</c> trigger hands each item on to its work queue. Under
/// 16 concurrent senders this turns 16 concurrent storage writes into about one per flush, which
/// is where the acknowledgement latency went (see bench/results.md, mode ack).
/// </summary>
public sealed class GroupCommitIntakeQueue : IIntakeQueue
{
    /// <summary>
    /// Largest batch body in characters. A queue message holds 64 KiB and the Functions trigger reads
    /// Base64 bodies (4/3 of the JSON), so 48 KiB of JSON is the ceiling; half of it leaves room.
    /// </summary>
    public const int MaxBatchChars = 24 * 1024;

    private readonly IWorkQueue _queue;
    private readonly IWorkBatchQueue _batches;
    private readonly GroupCommit<IntakeItem> _commit;

    public GroupCommitIntakeQueue(IWorkQueue queue, IWorkBatchQueue batches)
    {
        _queue = queue;
        _batches = batches;
        _commit = new GroupCommit<IntakeItem>(FlushAsync);
    }

    /// <summary>Flushes so far (tests and diagnostics).</summary>
    public long Flushes => _commit.Flushes;

    /// <summary>Webhooks waiting for the next flush (tests and diagnostics).</summary>
    public int Waiting => _commit.Waiting;

    public Task EnqueueAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken) =>
        items.Count == 0 ? Task.CompletedTask : _commit.SubmitAsync(items, cancellationToken);

    /// <summary>Writes one flush: one webhook's items straight to their queues, several webhooks' items as intake batches.</summary>
    public async Task FlushAsync(IReadOnlyList<IReadOnlyList<IntakeItem>> groups, CancellationToken cancellationToken)
    {
        if (groups.Count == 1)
        {
            await Task.WhenAll(groups[0].Select(i => _queue.EnqueueAsync(i.Item, i.Delay, cancellationToken)));
            return;
        }

        await Task.WhenAll(Chunk(groups.SelectMany(g => g)).Select(b => _batches.SendBatchAsync(b, cancellationToken)));
    }

    /// <summary>The items cut into batches of at most <see cref="MaxBatchChars"/> characters of JSON each.</summary>
    public static IEnumerable<WorkBatch> Chunk(IEnumerable<IntakeItem> items)
    {
        var current = new List<IntakeItem>();
        var size = 64; // the envelope
        foreach (var item in items)
        {
            var length = JsonSerializer.Serialize(item, JunipeerJson.Options).Length + 1;
            if (current.Count > 0 && size + length > MaxBatchChars)
            {
                yield return new WorkBatch { Items = current };
                current = [];
                size = 64;
            }

            current.Add(item);
            size += length;
        }

        if (current.Count > 0)
        {
            yield return new WorkBatch { Items = current };
        }
    }
}
