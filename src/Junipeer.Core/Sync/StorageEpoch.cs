using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>
/// When the ledger this process sees began, per integration: a row of the ledger table itself, so
/// losing that table (alone or with the rest) starts a new epoch. A young epoch means "storage is new
/// or was lost": a create sent before the loss may still land, so a missing ledger row cannot vouch
/// that the ERP has no document yet (see <see cref="Work{TPhase}.CreateOnceAsync"/> and
/// <see cref="RecentDocumentIndex"/>).
/// <para>
/// A new integration starts a settled epoch: nothing of an integration that did not exist can be in
/// flight. The one case this cannot tell apart is all storage lost <em>and</em> the integration re-added
/// within one lease (<c>Orders.LeaseSeconds</c>) of a create that was in flight at the loss; re-add an
/// integration only after that (docs/architecture.md).
/// </para>
/// </summary>
public static class StorageEpoch
{
    /// <summary>Ledger flow of the storage-epoch row.</summary>
    public const string Flow = "storage";

    /// <summary>Tolerated difference between our clock and the ERP's modification times.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    /// <summary>Ledger key of the storage-epoch row of an integration.</summary>
    public static LedgerKey Key(string integrationId) => new(integrationId, Flow, "epoch");

    /// <summary>Writes the epoch row (a new integration; tests and benchmarks that measure an established storage).</summary>
    public static async Task SetAsync(ISyncLedger ledger, string integrationId, DateTimeOffset startedAt, CancellationToken ct)
    {
        var current = await ledger.GetAsync(Key(integrationId), ct);
        await ledger.SaveAsync((current ?? new LedgerEntry { Key = Key(integrationId), Status = LedgerStatus.Done }) with { UpdatedAt = startedAt }, ct);
    }

    /// <summary>A new integration: an epoch old enough that nothing is waited for (nothing of it can be in flight).</summary>
    public static async Task StartSettledAsync(ISyncLedger ledger, string integrationId, DateTimeOffset now, CancellationToken ct)
    {
        if (await ledger.GetAsync(Key(integrationId), ct) is not null)
            return;
        try
        {
            await ledger.SaveAsync(new LedgerEntry { Key = Key(integrationId), Status = LedgerStatus.Done, UpdatedAt = now.AddDays(-1) }, ct);
        }
        catch (LedgerConflictException)
        {
            // Someone started it first: theirs stands.
        }
    }

    /// <summary>When the current epoch began; starts one now when storage has none (new or lost).</summary>
    public static async Task<DateTimeOffset> GetOrStartAsync(ISyncLedger ledger, string integrationId, DateTimeOffset now, ILogger logger, CancellationToken ct)
    {
        var key = Key(integrationId);
        if ((await ledger.GetAsync(key, ct))?.UpdatedAt is { } epoch)
            return epoch;
        logger.LogWarning("No storage epoch for integration {IntegrationId}: the ledger is new or was lost; ERP lookups vouch for new ledger rows, and new documents wait until a create sent before the loss can no longer land", integrationId);
        try
        {
            await ledger.SaveAsync(new LedgerEntry { Key = key, Status = LedgerStatus.Done, UpdatedAt = now }, ct);
            return now;
        }
        catch (LedgerConflictException)
        {
            return (await ledger.GetAsync(key, ct))?.UpdatedAt ?? now; // another worker started it first
        }
    }
}
