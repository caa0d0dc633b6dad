using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>
/// What every queue-driven flow does with the outcome of one delivery, in one place: a row another
/// worker holds or took over is re-enqueued soon; a long Retry-After gives the row back and re-enqueues
/// with that delay; an operator-fixable failure ends the row as Failed (conditionally); anything
/// transient gives the row back with its phase kept and rethrows, so the queue redelivers.
/// </summary>
public static class WorkOutcomes
{
    /// <summary>Longest wait before a busy item is looked at again (the holder's lease may be long).</summary>
    public static readonly TimeSpan MaxBusyWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="sync"/> for <paramref name="work"/>. <paramref name="retryLater"/> may name a
    /// flow's own "not yet, nothing written" case (a delay, or null); <paramref name="fail"/> records an
    /// operator-fixable failure (ledger Failed, operator event) and returns its result.
    /// </summary>
    public static async Task<SyncResult> RunAsync<TPhase>(
        Work<TPhase> work,
        WorkItem item,
        IWorkQueue queue,
        TimeProvider time,
        int maxRequeues,
        ILogger logger,
        Func<Task<SyncResult>> sync,
        Func<JunipeerException, Task<SyncResult>> fail,
        CancellationToken ct,
        Func<JunipeerException, TimeSpan?>? retryLater = null)
        where TPhase : struct, Enum
    {
        if (work.HeldByOther)
            return await RequeueBusyAsync(item, work.Entry.LeaseUntil, queue, time, ct);

        try
        {
            return await sync();
        }
        catch (LeaseHeldException held)
        {
            // Another worker holds this item (or a row it needs): not an error of this item. Give back only
            // what this worker holds; writing an error row would disturb the worker making progress.
            if (work.IsLeased)
                await work.ReleaseAsync(ErrorCodes.ErpUnavailable, held.Message, ct);
            return await RequeueBusyAsync(item, held.LeaseUntil, queue, time, ct);
        }
        catch (LeaseLostException lost)
        {
            // Another worker took the row over (our lease lapsed) or storage was lost: this attempt
            // writes nothing more. Come back later; the row (or the ERP) says what is left to do.
            logger.LogWarning("{Message}", lost.Message);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, MaxBusyWait, ct);
            return new SyncResult(SyncOutcome.Requeued, Message: "lease lost");
        }
        catch (JunipeerException ex) when (retryLater?.Invoke(ex) is { } delay)
        {
            logger.LogInformation("{Flow} {EntityKey}: {Code}; retrying in {Delay}", work.Key.Flow, work.Key.EntityKey, ex.Code, delay);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, delay, ct);
            return new SyncResult(SyncOutcome.Requeued, ErrorCode: ex.Code, Message: ex.Message);
        }
        catch (JunipeerException ex) when (ex.RetryAfter is { } after && item.Requeues < maxRequeues)
        {
            // The connector already waited out short Retry-After values in-process; a long wait
            // must not hold the function, so the item goes back on the queue with a delay.
            var retryAfter = after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after;
            await work.ReleaseAsync(ex.Code, ex.Message, ct);
            logger.LogWarning("{Flow} {EntityKey}: {Code}; re-queued in {Delay}", work.Key.Flow, work.Key.EntityKey, ex.Code, retryAfter);
            await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1, Reason = WorkReasons.RateLimited }, retryAfter, ct);
            return new SyncResult(SyncOutcome.Requeued, ErrorCode: ex.Code, Message: ex.Message);
        }
        catch (JunipeerException ex) when (!ex.Retryable || ex.RetryAfter is not null)
        {
            return await fail(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Transient: keep the phase (so a document that may exist is looked up next time),
            // give the row back, and let the queue redeliver.
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            logger.LogWarning(ex, "{Flow} {EntityKey} failed transiently; the queue will retry", work.Key.Flow, work.Key.EntityKey);
            throw;
        }
    }

    /// <summary>Someone else holds the row: come back when its lease ends, at least 1 s and at most <see cref="MaxBusyWait"/> from now.</summary>
    public static async Task<SyncResult> RequeueBusyAsync(WorkItem item, DateTimeOffset? leaseUntil, IWorkQueue queue, TimeProvider time, CancellationToken ct)
    {
        var wait = (leaseUntil ?? time.GetUtcNow()) - time.GetUtcNow();
        wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxBusyWait ? MaxBusyWait : wait;
        await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, wait, ct);
        return new SyncResult(SyncOutcome.Requeued, Message: "busy");
    }
}
