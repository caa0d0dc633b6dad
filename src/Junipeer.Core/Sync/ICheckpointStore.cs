namespace Junipeer.Core.Sync;

/// <summary>Port: delta cursors for schedules (Checkpoints table).</summary>
public interface ICheckpointStore
{
    Task<DateTimeOffset?> GetAsync(string integrationId, string flow, CancellationToken cancellationToken);
    Task SetAsync(string integrationId, string flow, DateTimeOffset value, CancellationToken cancellationToken);
}
