namespace Junipeer.Core.Sync;

public static class Flows
{
    public const string Orders = "orders";
    public const string Payouts = "payouts";
    public const string Customers = "customers";
    public const string Articles = "articles";
    public const string Stock = "stock";
    public const string Shipments = "shipments";
}

public sealed record LedgerKey(string IntegrationId, string Flow, string EntityKey);

public enum LedgerStatus
{
    Pending,
    InProgress,
    Done,
    Failed,
    Skipped,
}

/// <summary>
/// The state of one entity's sync (one order, one payout …): the exactly-once record. Phase says
/// how far the effect got, so a retry resumes instead of redoing (e.g. "InvoiceCreateAttempted"
/// forces a lookup by reference before any new create).
/// </summary>
public sealed record LedgerEntry
{
    public required LedgerKey Key { get; init; }
    public LedgerStatus Status { get; init; } = LedgerStatus.Pending;
    public string Phase { get; init; } = "";
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public string? ErpCustomerNumber { get; init; }
    public string? ErpDocumentNumber { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public int Attempts { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Free-form facts worth keeping (VAT case, totals, currency …).</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = new Dictionary<string, string>();

    /// <summary>Optimistic-concurrency version from storage; null for a row not yet stored.</summary>
    public string? ETag { get; init; }
}

public enum ClaimOutcome
{
    Claimed,
    AlreadyDone,
    Busy,
}

public sealed record LedgerClaim(ClaimOutcome Outcome, LedgerEntry Entry);

/// <summary>Thrown when a conditional ledger write loses to another writer (HTTP 412/409).</summary>
public sealed class LedgerConflictException(string message) : Exception(message);

/// <summary>Port: the ledger (Table Storage, ETag-guarded).</summary>
public interface ISyncLedger
{
    Task<LedgerEntry?> GetAsync(LedgerKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease on the entity: inserts the row, or updates it with its ETag when it has no
    /// live lease. Done rows are returned as AlreadyDone; rows leased by someone else as Busy.
    /// </summary>
    Task<LedgerClaim> ClaimAsync(LedgerKey key, string owner, string? correlationId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Writes the entry if its ETag still matches; returns it with the new ETag. Throws LedgerConflictException.</summary>
    Task<LedgerEntry> SaveAsync(LedgerEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<LedgerEntry>> ListAsync(string integrationId, string flow, CancellationToken cancellationToken);
}
