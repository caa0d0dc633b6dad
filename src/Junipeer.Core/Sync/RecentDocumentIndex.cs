using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>What the index knows about one reference.</summary>
public enum IndexAnswer
{
    /// <summary>A document with the reference exists (see the number).</summary>
    Found,

    /// <summary>No document with the reference exists: the index is complete for this reference.</summary>
    Absent,

    /// <summary>The index cannot vouch (outside its window, or storage was lost too recently): ask the ERP directly.</summary>
    Unknown,
}

/// <summary>One document the ERP reported in a delta read.</summary>
public sealed record IndexedDocument(string Reference, string Number, DateTimeOffset? LastModified);

/// <summary>
/// "The ERP is the truth, the ledger a cache": a ledger row that does not exist (first attempt, or
/// all storage lost) cannot vouch that the ERP has no document for the item. Asking the ERP per item
/// would cost one call per order; this index amortizes it. Per integration and document kind it
/// keeps, in memory, the references of the ERP documents modified since the start of its window,
/// loaded once and kept current by a delta query on modification time (at most one per refresh
/// interval, whatever the number of orders).
/// <para>
/// When may "absent" be trusted? A document is created only by a worker that first persisted its
/// "attempted" phase, so for a row that does not exist the document can only come from a previous
/// storage epoch (storage lost). Its create was sent before the loss and had landed at most one
/// write timeout after it. So the index answers <see cref="IndexAnswer.Absent"/> only when its last
/// refresh started after <c>epoch start + write timeout + skew</c> — otherwise it refreshes first (one
/// delta call, shared by every item that asks) — and only for items no older than its window;
/// anything else is <see cref="IndexAnswer.Unknown"/> and the caller asks the ERP directly.
/// </para>
/// </summary>
public sealed class RecentDocumentIndex(ISyncLedger ledger, TimeProvider time, ILogger<RecentDocumentIndex> logger)
{
    /// <summary>Tolerated difference between our clock and the ERP's modification times.</summary>
    public static readonly TimeSpan Skew = StorageEpoch.Skew;

    private readonly ConcurrentDictionary<string, Scope> _scopes = new(StringComparer.Ordinal);

    /// <summary>
    /// Looks <paramref name="reference"/> up. <paramref name="itemNotBefore"/> is the earliest time a
    /// document for the item can have been created (the order date): older items are Unknown.
    /// <paramref name="delta"/> reads the ERP's documents modified at or after a time.
    /// </summary>
    public async Task<(IndexAnswer Answer, string? Number)> LookupAsync(
        string integrationId,
        string kind,
        string reference,
        DateTimeOffset itemNotBefore,
        IndexPolicy policy,
        Func<DateTimeOffset, CancellationToken, Task<IReadOnlyList<IndexedDocument>>> delta,
        CancellationToken ct)
    {
        var scope = _scopes.GetOrAdd(integrationId + "|" + kind, _ => new Scope());
        var now = time.GetUtcNow();
        var epoch = await EpochAsync(integrationId, now, ct);
        var trustFrom = epoch + policy.WriteTimeout + Skew;

        await scope.Gate.WaitAsync(ct);
        try
        {
            // Refresh when never loaded, when the interval has passed, or once the epoch's uncertain
            // period is over and the last refresh predates it (that one refresh makes "absent" trustworthy).
            var refresh = scope.RefreshStartedAt is not { } last
                          || now - last >= policy.RefreshInterval
                          || (last < trustFrom && now >= trustFrom);
            if (refresh)
            {
                try
                {
                    await RefreshAsync(scope, integrationId, kind, now, policy, delta, ct);
                }
                catch (Errors.JunipeerException ex) when (ex.Code == Errors.ErrorCodes.ErpLookupIncomplete)
                {
                    // A delta that could not be read completely proves nothing absent; the refresh is not
                    // counted, so the next one reads from the same point again. Until then: ask directly.
                    logger.LogWarning("Index {Kind} of {IntegrationId} not refreshed ({Code}): {Message}", kind, integrationId, ex.Code, ex.Message);
                    return scope.Numbers.TryGetValue(reference, out var known) ? (IndexAnswer.Found, known) : (IndexAnswer.Unknown, null);
                }
            }

            if (scope.Numbers.TryGetValue(reference, out var number))
                return (IndexAnswer.Found, number);
            if (scope.RefreshStartedAt < trustFrom || itemNotBefore < scope.WindowStart + Skew)
                return (IndexAnswer.Unknown, null);
            return (IndexAnswer.Absent, null);
        }
        finally
        {
            scope.Gate.Release();
        }
    }

    /// <summary>Records a document this process just created or found (so the next lookup needs no refresh).</summary>
    public void Remember(string integrationId, string kind, string reference, string number) =>
        _scopes.GetOrAdd(integrationId + "|" + kind, _ => new Scope()).Numbers[reference] = number;

    /// <summary>When the current storage epoch began; starts one when storage has none (new or lost).</summary>
    public Task<DateTimeOffset> EpochAsync(string integrationId, DateTimeOffset now, CancellationToken ct) =>
        StorageEpoch.GetOrStartAsync(ledger, integrationId, now, logger, ct);

    private async Task RefreshAsync(
        Scope scope,
        string integrationId,
        string kind,
        DateTimeOffset now,
        IndexPolicy policy,
        Func<DateTimeOffset, CancellationToken, Task<IReadOnlyList<IndexedDocument>>> delta,
        CancellationToken ct)
    {
        DateTimeOffset since;
        if (scope.RefreshStartedAt is { } last)
        {
            since = last - Skew;
        }
        else
        {
            scope.WindowStart = now - policy.Window;
            since = scope.WindowStart;
        }

        var docs = await delta(since, ct);
        foreach (var d in docs)
        {
            if (!string.IsNullOrEmpty(d.Reference))
                scope.Numbers[d.Reference] = d.Number;
        }

        scope.RefreshStartedAt = now;
        logger.LogDebug("Index {Kind} of {IntegrationId} refreshed since {Since}: {Count} documents, {Total} known", kind, integrationId, since, docs.Count, scope.Numbers.Count);
    }

    private sealed class Scope
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ConcurrentDictionary<string, string> Numbers { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset? RefreshStartedAt { get; set; }
        public DateTimeOffset WindowStart { get; set; }
    }
}

/// <summary>How the index refreshes and how far back it reaches.</summary>
/// <param name="RefreshInterval">At most one delta read per interval per integration and kind.</param>
/// <param name="Window">How far back the first load reaches; older items are always looked up directly.</param>
/// <param name="WriteTimeout">How long after a storage loss a create sent before it may still land (the lease of a write: Orders.LeaseSeconds).</param>
public sealed record IndexPolicy(TimeSpan RefreshInterval, TimeSpan Window, TimeSpan WriteTimeout);
