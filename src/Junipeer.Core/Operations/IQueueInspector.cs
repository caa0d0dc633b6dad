using Junipeer.Core.Sync;

namespace Junipeer.Core.Operations;

/// <summary>Port: looks into the work queues (lengths) and hands poison messages back for replay.</summary>
public interface IQueueInspector
{
    /// <summary>Approximate number of messages on the queue of <paramref name="workKind"/> (or its poison queue); null when the queue does not exist yet.</summary>
    Task<int?> LengthAsync(string workKind, bool poison, CancellationToken cancellationToken);

    /// <summary>
    /// Takes every readable message of <paramref name="integrationId"/> off the poison queue of
    /// <paramref name="workKind"/>: <paramref name="resubmit"/> runs first, the message is deleted only after
    /// it succeeded. Other integrations' messages (and unreadable ones) are left on the queue as they were.
    /// </summary>
    Task<int> DrainPoisonAsync(string workKind, string integrationId, Func<WorkItem, Task> resubmit, CancellationToken cancellationToken);
}
