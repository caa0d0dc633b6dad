using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Junipeer.Core.Operations;
using Junipeer.Core.Sync;

namespace Junipeer.Storage;

/// <summary>Queue lengths and poison replay on Azure Storage queues (the Functions host's "&lt;queue&gt;-poison" convention).</summary>
public sealed class QueueInspector(StorageClients clients) : IQueueInspector
{
    /// <summary>How long a poison message we leave for another integration stays hidden while the drain runs.</summary>
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(60);

    public static string PoisonQueueFor(string workKind) => QueueWorkQueue.QueueFor(workKind) + "-poison";

    public async Task<int?> LengthAsync(string workKind, bool poison, CancellationToken cancellationToken)
    {
        var q = clients.Queue(poison ? PoisonQueueFor(workKind) : QueueWorkQueue.QueueFor(workKind));
        try
        {
            var p = await q.GetPropertiesAsync(cancellationToken);
            return p.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<int> DrainPoisonAsync(string workKind, string integrationId, Func<WorkItem, Task> resubmit, CancellationToken cancellationToken)
    {
        var q = clients.Queue(PoisonQueueFor(workKind));
        if (!(await q.ExistsAsync(cancellationToken)).Value)
        {
            return 0;
        }

        var count = 0;
        var others = new List<(string Id, string Receipt)>();
        try
        {
            while (true)
            {
                QueueMessage[] batch = (await q.ReceiveMessagesAsync(32, Hold, cancellationToken)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                foreach (var m in batch)
                {
                    var item = QueueWorkQueue.TryParse(m.Body.ToString());
                    if (item is null || !string.Equals(item.IntegrationId, integrationId, StringComparison.Ordinal))
                    {
                        others.Add((m.MessageId, m.PopReceipt)); // not ours to touch: shown again below
                        continue;
                    }

                    await resubmit(item);
                    await q.DeleteMessageAsync(m.MessageId, m.PopReceipt, cancellationToken);
                    count++;
                }
            }
        }
        finally
        {
            foreach (var (id, receipt) in others)
            {
                try
                {
                    await q.UpdateMessageAsync(id, receipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                }
                catch (RequestFailedException)
                {
                    // The hold lapses by itself after a minute.
                }
            }
        }

        return count;
    }
}
