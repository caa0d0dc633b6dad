namespace Junipeer.Core.Sync;

/// <summary>
/// Group commit: concurrent callers each hand over a group of items and wait until it is durably
/// written; one flush at a time writes everything that arrived while the previous flush was in
/// flight. The first caller on an idle committer flushes at once (no waiting window, so a lone
/// caller pays exactly one write); under load, N concurrent callers cost about one write per
/// flush instead of N concurrent writes. A caller returns only after the flush that carried its
/// items succeeded; a failed flush fails every caller in it (each answers with an error and its
/// sender retries, so nothing is acknowledged without being stored).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="flush">Writes the groups of one flush (one group per caller, in arrival order).</param>
/// <param name="maxGroupsPerFlush">Upper bound on the callers carried by one flush; the rest wait for the next.</param>
public sealed class GroupCommit<T>(Func<IReadOnlyList<IReadOnlyList<T>>, CancellationToken, Task> flush, int maxGroupsPerFlush = 256)
{
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private bool _flushing;
    private long _flushes;

    /// <summary>Flushes so far (observability and tests).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Callers whose group waits for the next flush (not yet taken by a flush).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Hands over one group; completes when the flush that carried it has written it (or throws its failure).</summary>
    public Task SubmitAsync(IReadOnlyList<T> group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var pending = new Pending(group);
        bool lead;
        lock (_gate)
        {
            _pending.Enqueue(pending);
            lead = !_flushing;
            _flushing = true;
        }

        if (lead)
        {
            // Runs synchronously up to the first write, so an idle committer writes on the caller's own turn.
            _ = FlushLoopAsync();
        }

        // A cancelled caller stops waiting; its items may still be written (the sender's retry is harmless:
        // every handler behind the queues is idempotent).
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                batch = new List<Pending>(Math.Min(_pending.Count, maxGroupsPerFlush));
                while (batch.Count < maxGroupsPerFlush && _pending.TryDequeue(out var p))
                {
                    batch.Add(p);
                }
            }

            try
            {
                // Not the callers' tokens: the flush carries other callers' items too.
                await flush(batch.ConvertAll(p => p.Group), CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _flushes);
                foreach (var p in batch)
                {
                    p.Done.TrySetResult();
                }
            }
#pragma warning disable CA1031 // every failure goes to the callers of this flush; the loop serves the next one
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var p in batch)
                {
                    p.Done.TrySetException(ex);
                }
            }
        }
    }

    private sealed class Pending(IReadOnlyList<T> group)
    {
        public IReadOnlyList<T> Group { get; } = group;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
