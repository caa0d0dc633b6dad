namespace Junipeer.Core.Sync;

/// <summary>Port: delta cursors for schedules (Checkpoints table).</summary>
public interface ICheckpointStore
{
    Task<DateTimeOffset?> GetAsync(string integrationId, string flow, CancellationToken cancellationToken);
    Task SetAsync(string integrationId, string flow, DateTimeOffset value, CancellationToken cancellationToken);
}

/// <summary>Port: webhook/event dedupe (Inbox table). True the first time a key is seen.</summary>
public interface IInbox
{
    Task<bool> TryAcceptAsync(string integrationId, string source, string eventKey, CancellationToken cancellationToken);

    /// <summary>Deletes dedupe rows received before <paramref name="olderThan"/>; returns how many.</summary>
    Task<int> PurgeAsync(string integrationId, string source, DateTimeOffset olderThan, CancellationToken cancellationToken);
}

public static class InboxSources
{
    public const string CentraWebhook = "centra-webhook";

    /// <summary>Dedupe only has to outlive the sender's retries (Centra: minutes); a week is ample.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
}

/// <summary>Port: entity mappings (shop id → ERP id), e.g. customer e-mail → customer number.</summary>
public interface IMappingStore
{
    Task<string?> GetAsync(string integrationId, string kind, string externalKey, CancellationToken cancellationToken);
    Task SetAsync(string integrationId, string kind, string externalKey, string erpId, CancellationToken cancellationToken);
}

public static class MappingKinds
{
    public const string CustomerByEmail = "customer-email";

    /// <summary>Buyer key (see CustomerResolver.BuyerKey) → ERP customer number.</summary>
    public const string CustomerByBuyer = "customer-buyer";
}

public enum EventSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>Something an operator can see: what happened to which entity, with code and correlation id.</summary>
public sealed record OperatorEvent
{
    public required string IntegrationId { get; init; }
    public required string Flow { get; init; }
    public required string EntityKey { get; init; }
    public required EventSeverity Severity { get; init; }
    public required string Message { get; init; }
    public string? ErrorCode { get; init; }
    public string? Fix { get; init; }
    public string? CorrelationId { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>Port: the operator-visible event log (Events table, newest first).</summary>
public interface IEventLog
{
    Task AppendAsync(OperatorEvent operatorEvent, CancellationToken cancellationToken);
    Task<IReadOnlyList<OperatorEvent>> ListAsync(string integrationId, int take, CancellationToken cancellationToken);
}

/// <summary>A unit of work on a queue. Small, versioned, carries what a poison copy needs for replay.</summary>
public sealed record WorkItem
{
    public int V { get; init; } = 1;
    public required string Kind { get; init; }
    public required string IntegrationId { get; init; }
    public required string EntityKey { get; init; }
    public required string Reason { get; init; }
    public required string CorrelationId { get; init; }
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>How many times this item was deliberately re-queued (rate-limit waits).</summary>
    public int Requeues { get; init; }

    /// <summary>The work item that syncs one shop order.</summary>
    public static WorkItem ForOrder(string integrationId, string orderNumber, string reason, string correlationId, DateTimeOffset enqueuedAt) => new()
    {
        Kind = WorkKinds.Order,
        IntegrationId = integrationId,
        EntityKey = orderNumber,
        Reason = reason,
        CorrelationId = correlationId,
        EnqueuedAt = enqueuedAt,
    };
}

public static class WorkKinds
{
    public const string Order = "order";
    public const string Payout = "payout";
}

public static class WorkReasons
{
    public const string Webhook = "webhook";
    public const string Sweep = "sweep";
    public const string Replay = "replay";
    public const string RateLimited = "rate-limited";
}

/// <summary>Port: queues (Azure Storage queues, Base64 bodies for the Functions trigger).</summary>
public interface IWorkQueue
{
    Task EnqueueAsync(WorkItem item, TimeSpan? visibilityDelay, CancellationToken cancellationToken);
}

/// <summary>A cached access token for one integration and system; the connector encrypts AccessToken before it is stored.</summary>
public sealed record TokenRecord
{
    public required string IntegrationId { get; init; }
    public required string System { get; init; }
    public string? AccessToken { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? RefreshLeaseOwner { get; init; }
    public DateTimeOffset? RefreshLeaseUntil { get; init; }
    public string? ETag { get; init; }
}

/// <summary>Port: token cache with an ETag-guarded refresh lease (one refresher at a time).</summary>
public interface ITokenStore
{
    Task<TokenRecord?> GetAsync(string integrationId, string system, CancellationToken cancellationToken);

    /// <summary>Conditional write (insert when ETag is null). False when someone else wrote first.</summary>
    Task<TokenRecord?> TryWriteAsync(TokenRecord record, CancellationToken cancellationToken);
}
