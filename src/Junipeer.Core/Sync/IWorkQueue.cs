namespace Junipeer.Core.Sync;

/// <summary>Port: queues (Azure Storage queues, Base64 bodies for the Functions trigger).</summary>
public interface IWorkQueue
{
    Task EnqueueAsync(WorkItem item, TimeSpan? visibilityDelay, CancellationToken cancellationToken);
}
