using System.Collections.Concurrent;
using Junipeer.Core.Sync;

namespace Junipeer.Tests.Infrastructure;

/// <summary>An ETag-guarded in-memory ledger with Table Storage's semantics (409 on insert, 412/404 on update).</summary>
public sealed class InMemoryLedger : ISyncLedger
{
    private readonly ConcurrentDictionary<LedgerKey, LedgerEntry> _rows = new();
    private long _version;

    public int Writes { get; private set; }

    public Task<LedgerEntry?> GetAsync(LedgerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_rows.TryGetValue(key, out var e) ? e : null);

    public Task<LedgerEntry> SaveAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            _rows.TryGetValue(entry.Key, out var current);
            if (entry.ETag is null ? current is not null : current?.ETag != entry.ETag)
                throw new LedgerConflictException($"conflict on {entry.Key.EntityKey}");
            var saved = entry with { ETag = "v" + Interlocked.Increment(ref _version) };
            _rows[entry.Key] = saved;
            Writes++;
            return Task.FromResult(saved);
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> ListAsync(string integrationId, string flow, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LedgerEntry>>(_rows.Values.Where(e => e.Key.IntegrationId == integrationId && e.Key.Flow == flow).ToList());

    /// <summary>Loses one row.</summary>
    public void Remove(LedgerKey key) => _rows.TryRemove(key, out _);

    /// <summary>Starts counting writes from here.</summary>
    public void ResetWrites() => Writes = 0;

    /// <summary>Loses all rows, as a wiped storage account would.</summary>
    public void Wipe() => _rows.Clear();

    /// <summary>Overwrites a row's phase as another version would.</summary>
    public void SetPhase(LedgerKey key, string phase) => _rows[key] = _rows[key] with { Phase = phase, ETag = "v" + Interlocked.Increment(ref _version) };
}

/// <summary>An in-memory checkpoint store.</summary>
public sealed class InMemoryCheckpoints : ICheckpointStore
{
    private readonly ConcurrentDictionary<(string, string), DateTimeOffset> _values = new();

    public Task<DateTimeOffset?> GetAsync(string integrationId, string flow, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryGetValue((integrationId, flow), out var v) ? v : (DateTimeOffset?)null);

    public Task SetAsync(string integrationId, string flow, DateTimeOffset value, CancellationToken cancellationToken)
    {
        _values[(integrationId, flow)] = value;
        return Task.CompletedTask;
    }

    public void Wipe() => _values.Clear();
}
