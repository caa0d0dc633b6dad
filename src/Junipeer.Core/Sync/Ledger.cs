namespace Junipeer.Core.Sync;

public static class Flows
{
    public const string Orders = "orders";
    public const string Payouts = "payouts";
    public const string Customers = "customers";
    public const string Articles = "articles";
    public const string Stock = "stock";

    /// <summary>Stock: the one row per integration whose fenced lease serializes stock passes (timer and webhook hints); facts keep the last pass's start.</summary>
    public const string StockPass = "stock-pass";
    public const string Shipments = "shipments";

    /// <summary>Customer sync: ledger rows of shop customers created from the ERP (key = ERP customer number).</summary>
    public const string ShopCustomers = "shop-customers";

    /// <summary>Checkpoint of the shop's customer delta (Centra → ERP).</summary>
    public const string CustomersFromShop = "customers-from-shop";

    /// <summary>Checkpoint of the ERP's customer delta (ERP → Centra).</summary>
    public const string CustomersFromErp = "customers-from-erp";

    /// <summary>Product sync: ledger rows of Centra products, variants and sizes created from articles (key = number path).</summary>
    public const string ShopProducts = "shop-products";

    /// <summary>Checkpoint of the ERP's article delta (Visma.net → Centra).</summary>
    public const string ProductsFromErp = "products-from-erp";

    /// <summary>Checkpoint of the shop's product delta (Centra → Visma.net).</summary>
    public const string ProductsFromShop = "products-from-shop";
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

    /// <summary>
    /// The external documents this work item created, by step (e.g. "customer" → "10042",
    /// "invoice" → "000123"). One map for every flow instead of a column per document kind.
    /// </summary>
    public IReadOnlyDictionary<string, string> Documents { get; init; } = new Dictionary<string, string>();
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public int Attempts { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Free-form facts worth keeping (VAT case, totals, currency …).</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = new Dictionary<string, string>();

    /// <summary>The document created by <paramref name="step"/>, if any.</summary>
    public string? Document(string step) => Documents.TryGetValue(step, out var id) ? id : null;

    /// <summary>A copy with <paramref name="step"/> → <paramref name="id"/> added to <see cref="Documents"/>.</summary>
    public LedgerEntry WithDocument(string step, string id) =>
        this with { Documents = new Dictionary<string, string>(Documents, StringComparer.Ordinal) { [step] = id } };

    /// <summary>True when another owner holds a lease that has not lapsed at <paramref name="now"/>.</summary>
    public bool LeasedByOther(string owner, DateTimeOffset now) =>
        Status == LedgerStatus.InProgress && LeaseUntil > now && !string.Equals(LeaseOwner, owner, StringComparison.Ordinal);

    /// <summary>Optimistic-concurrency version from storage; null for a row not yet stored.</summary>
    public string? ETag { get; init; }
}

/// <summary>Thrown when a conditional ledger write loses to another writer (HTTP 412/409).</summary>
public sealed class LedgerConflictException(string message) : Exception(message);

/// <summary>Port: the ledger (Table Storage, ETag-guarded).</summary>
public interface ISyncLedger
{
    Task<LedgerEntry?> GetAsync(LedgerKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the entry if its ETag still matches (inserts it when ETag is null); returns it with the
    /// new ETag. Throws <see cref="LedgerConflictException"/> when someone else wrote first, when the
    /// row exists on insert, or when the row is gone on update (storage wiped): a writer that lost
    /// the row never overwrites it.
    /// </summary>
    Task<LedgerEntry> SaveAsync(LedgerEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<LedgerEntry>> ListAsync(string integrationId, string flow, CancellationToken cancellationToken);

    /// <summary>The rows of one flow in one status (storage filters server-side where it can).</summary>
    async Task<IReadOnlyList<LedgerEntry>> ListByStatusAsync(string integrationId, string flow, LedgerStatus status, CancellationToken cancellationToken) =>
        (await ListAsync(integrationId, flow, cancellationToken)).Where(e => e.Status == status).ToList();
}
