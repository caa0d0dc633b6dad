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
/// (<see cref="Run.StillQueued"/>, <see cref="Run.Capped"/>): when the grace ends the entity is read and enqueued again,
/// a delay of at most <see cref="Grace"/>, never a loss.
/// </para>
/// </summary>
public sealed class SweepMemo(TimeProvider time)
{
    /// <summary>How long an enqueue stands in for the entity's message; after that the sweep enqueues it again.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<LedgerKey, (DateTimeOffset At, string Epoch)> _enqueued = new();

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Starts one sweep run of an integration: drops what is past the grace period and ties the run to the
    /// storage epoch. Live mode only: in shadow mode the handler writes no ledger row, so the memo could not see
    /// a message consumed; the integration is forgotten and the run suppresses and notes nothing.
    /// </summary>
    /// <param name="overlap">The sweep's overlap window: a held change stays inside the next run's window.</param>
    public async Task<Run> BeginRunAsync(Integrations.Integration integration, ISyncLedger ledger, TimeSpan overlap, CancellationToken ct)
    {
        Prune();
        if (integration.Mode == Integrations.IntegrationMode.Live)
            return new Run(this, await EpochAsync(ledger, integration.Id, ct), overlap);
        ForgetIntegration(integration.Id);
        return new Run(this, null, overlap);
    }

    /// <summary>One sweep run's use of the memo: its epoch, what it left to the memo, and how far its checkpoint may move.</summary>
    public sealed class Run
    {
        private readonly SweepMemo _memo;
        private readonly string? _epoch;
        private readonly TimeSpan _overlap;
        private DateTimeOffset? _hold;

        internal Run(SweepMemo memo, string? epoch, TimeSpan overlap)
        {
            _memo = memo;
            _epoch = epoch;
            _overlap = overlap < TimeSpan.Zero ? TimeSpan.Zero : overlap;
        }

        /// <summary>Entities left to the memo by this run (not enqueued again: their message is still queued).</summary>
        public int StillQueuedCount { get; private set; }

        /// <summary>
        /// True when this process enqueued <paramref name="key"/> less than <see cref="Grace"/> ago in the same
        /// storage epoch (never without one) and its row (<paramref name="entry"/>) is absent or still Pending /
        /// InProgress: the run counts it and keeps <paramref name="changedAt"/> inside the next run's overlap window,
        /// so that when the grace ends the entity is read and enqueued again. A message consumed without a ledger
        /// row (flow paused, a live-shadow-live switch, an entity the handler could not read yet) looks queued to
        /// the memo; this keeps that case a delay of at most <see cref="Grace"/>, never a loss.
        /// </summary>
        public bool StillQueued(LedgerKey key, LedgerEntry? entry, DateTimeOffset changedAt)
        {
            if (_epoch is null
                || entry?.Status is not (null or LedgerStatus.Pending or LedgerStatus.InProgress)
                || !_memo._enqueued.TryGetValue(key, out var seen)
                || seen.Epoch != _epoch
                || _memo.Now - seen.At >= Grace)
                return false;
            StillQueuedCount++;
            var keep = changedAt + _overlap;
            _hold = _hold is { } h && h <= keep ? h : keep;
            return true;
        }

        /// <summary>Notes an enqueue by the sweep (nothing without an epoch row: a loss could not be told from the state the note was made in).</summary>
        public void Enqueued(LedgerKey key)
        {
            if (_epoch is not null)
                _memo._enqueued[key] = (_memo.Now, _epoch);
        }

        /// <summary>The entity finished (or needs no message): nothing to remember.</summary>
        public void Forget(LedgerKey key) => _memo._enqueued.TryRemove(key, out _);

        /// <summary>The checkpoint to save: <paramref name="next"/>, but never past what keeps a change left to the memo in the next run's window.</summary>
        public DateTimeOffset Capped(DateTimeOffset next) => _hold is { } h && next > h ? h : next;
    }

    private void ForgetIntegration(string integrationId)
    {
        foreach (var key in _enqueued.Keys)
        {
            if (key.IntegrationId == integrationId)
                _enqueued.TryRemove(key, out _);
        }
    }

    /// <summary>Drops what is past <see cref="Grace"/> (once per run, so the memo stays bounded by one window of work).</summary>
    private void Prune()
    {
        var now = Now;
        foreach (var (key, seen) in _enqueued)
        {
            if (now - seen.At >= Grace)
                _enqueued.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// The storage epoch the memo is tied to: the epoch row's ETag (a row written again after a loss has
    /// another, even when its start time is the same), or null when the ledger has none (new or lost).
    /// </summary>
    private static async Task<string?> EpochAsync(ISyncLedger ledger, string integrationId, CancellationToken ct)
    {
        var row = await ledger.GetAsync(StorageEpoch.Key(integrationId), ct);
        return row is null ? null : row.ETag ?? row.UpdatedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
