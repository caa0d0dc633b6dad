using System.Collections.Concurrent;

namespace Junipeer.Core.Sync;

/// <summary>
/// What a sweep of this process enqueued recently and has not yet seen finished, so that the next
/// sweeps do not enqueue it again while its message is still on the queue. A sweep reads back over
/// an overlap window (minutes) and runs far more often than a backlog drains: without this memo every
/// run re-enqueues every unfinished entity in the window, and a backlog of N turns into N messages per
/// run, each costing a handler invocation (a 500-order chaos run spent most of its time on those).
/// <para>
/// Safe by construction: the memo only ever <em>suppresses a duplicate</em> of a message that is
/// durable on the queue (queue messages do not expire, a failing one ends on the poison queue and
/// marks its row Failed, which the memo never hides). It is forgotten after <see cref="Grace"/>, on a
/// restart (it lives in memory) and when the storage epoch changes (a wiped ledger also lost its
/// queues), so the worst case is the old behaviour: one more enqueue.
/// </para>
/// <para>
/// A message can also be consumed without a ledger row (flow paused, a live-shadow-live switch, an entity
/// the handler could not read yet, a cleared queue): the memo cannot tell that from "still queued". So a
/// sweep never moves its checkpoint past what keeps a remembered entity in the next run's overlap window
/// (<see cref="Hold"/>, <see cref="Capped"/>): when the grace ends the entity is read and enqueued again,
/// a delay of at most <see cref="Grace"/>, never a loss.
/// </para>
/// </summary>
public sealed class SweepMemo(TimeProvider time)
{
    /// <summary>How long an enqueue stands in for the entity's message; after that the sweep enqueues it again.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<LedgerKey, (DateTimeOffset At, string Epoch)> _enqueued = new();

    /// <summary>Entities remembered (tests and diagnostics).</summary>
    public int Count => _enqueued.Count;

    /// <summary>
    /// True when this process enqueued <paramref name="key"/> less than <see cref="Grace"/> ago in the same
    /// storage epoch (never without one) and its row (<paramref name="entry"/>) is absent or still Pending / InProgress.
    /// </summary>
    public bool StillQueued(LedgerKey key, LedgerEntry? entry, string? epoch) =>
        epoch is not null
        && entry?.Status is null or LedgerStatus.Pending or LedgerStatus.InProgress
        && _enqueued.TryGetValue(key, out var seen)
        && seen.Epoch == epoch
        && time.GetUtcNow() - seen.At < Grace;

    /// <summary>
    /// Notes an enqueue by the sweep. Without an epoch row (a new or lost ledger that no handler has started
    /// again yet) nothing is noted: a loss could not be told from the state the note was made in.
    /// </summary>
    public void Enqueued(LedgerKey key, string? epoch)
    {
        if (epoch is not null)
            _enqueued[key] = (time.GetUtcNow(), epoch);
    }

    /// <summary>The entity finished (or needs no message): nothing to remember.</summary>
    public void Forget(LedgerKey key) => _enqueued.TryRemove(key, out _);

    /// <summary>
    /// Forgets everything of one integration: a sweep in shadow mode (its handler writes no ledger row, so
    /// "no row yet" cannot tell a queued message from a consumed one) and any change of mode.
    /// </summary>
    public void ForgetIntegration(string integrationId)
    {
        foreach (var key in _enqueued.Keys)
        {
            if (key.IntegrationId == integrationId)
                _enqueued.TryRemove(key, out _);
        }
    }

    /// <summary>Drops what is past <see cref="Grace"/> (run once per sweep, so the memo stays bounded by one window of work).</summary>
    public void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, seen) in _enqueued)
        {
            if (now - seen.At >= Grace)
                _enqueued.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Starts one sweep run of an integration: drops what is past the grace period and returns the epoch the run
    /// notes its enqueues under. Live mode only: in shadow mode the handler writes no ledger row, so the memo could
    /// not see a message consumed; it forgets the integration and returns null (nothing suppressed, nothing noted).
    /// </summary>
    public async Task<string?> BeginRunAsync(Integrations.Integration integration, ISyncLedger ledger, CancellationToken ct)
    {
        Prune();
        if (integration.Mode == Integrations.IntegrationMode.Live)
            return await EpochAsync(ledger, integration.Id, ct);
        ForgetIntegration(integration.Id);
        return null;
    }

    /// <summary>
    /// Notes that a sweep left <paramref name="changedAt"/> to the memo (not enqueued, still queued): the
    /// sweep's checkpoint must not move so far that this change leaves the next run's overlap window, so
    /// when <see cref="Grace"/> ends the entity is still read and enqueued again. A message consumed without
    /// a ledger row (flow paused, a live-shadow-live switch, an entity the handler could not read yet)
    /// looks queued to the memo; this keeps that case a delay of at most <see cref="Grace"/>, never a loss.
    /// </summary>
    public static DateTimeOffset? Hold(DateTimeOffset? hold, DateTimeOffset changedAt, TimeSpan overlap)
    {
        var keep = changedAt + (overlap < TimeSpan.Zero ? TimeSpan.Zero : overlap);
        return hold is { } h && h <= keep ? h : keep;
    }

    /// <summary>The checkpoint to save: <paramref name="next"/>, but never past what <see cref="Hold"/> keeps in the window.</summary>
    public static DateTimeOffset Capped(DateTimeOffset next, DateTimeOffset? hold) => hold is { } h && next > h ? h : next;

    /// <summary>
    /// The storage epoch the memo is tied to: the epoch row's ETag (a row written again after a loss has
    /// another, even when its start time is the same), or null when the ledger has none (new or lost).
    /// </summary>
    public static async Task<string?> EpochAsync(ISyncLedger ledger, string integrationId, CancellationToken ct)
    {
        var row = await ledger.GetAsync(StorageEpoch.Key(integrationId), ct);
        return row is null ? null : row.ETag ?? row.UpdatedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
