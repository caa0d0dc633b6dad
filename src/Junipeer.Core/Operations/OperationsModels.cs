using Junipeer.Core.Sync;

namespace Junipeer.Core.Operations;

/// <summary>
/// A flow that keeps ledger rows, and the queue work kind that re-syncs one of its entities (null: rows of a
/// parent's work item, or of a timer flow when <paramref name="Timer"/> names the timer that re-syncs them).
/// </summary>
public sealed record OperationFlow(string Name, string? WorkKind, string Label, string? ParentFlow, string? Timer = null)
{
    /// <summary>What re-syncs an entity of this flow when it cannot be queued on its own (null: Retry queues it).</summary>
    public string? RetryNote => WorkKind is not null ? null
        : ParentFlow is not null ? $"retry its {ParentFlow} entity"
        : Timer is not null ? $"the next {Timer} run retries it"
        : null;
}

/// <summary>Synced and failed entities of one UTC day (by the day their ledger row last changed).</summary>
public sealed record DayCount(DateOnly Day, int Synced, int Failed);

/// <summary>One flow of one integration at a glance.</summary>
public sealed record FlowOverview
{
    public required string Flow { get; init; }
    public required string Label { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public int Total { get; init; }
    public int Done { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }

    /// <summary>Ledger rows waiting (Pending) or being worked on (InProgress): the backlog this integration owns.</summary>
    public int Queued { get; init; }
    public int InProgress { get; init; }

    /// <summary>Approximate messages on the flow's queue and poison queue (shared by every integration of the tenant); null when the flow has no queue or it could not be read.</summary>
    public int? QueueLength { get; init; }
    public int? PoisonQueueLength { get; init; }
    public bool CanRetry { get; init; }
    public bool CanBackfill { get; init; }

    /// <summary>Flows run by a timer: its name (the CustomerSync, StockSync … function).</summary>
    public string? Timer { get; init; }

    /// <summary>Timer flows: the newest source change synced (the flow's checkpoint), when the flow keeps no per-entity success.</summary>
    public DateTimeOffset? SyncedUpTo { get; init; }

    /// <summary>False for flows that keep no ledger rows (stock: absolute levels); its failures are events, counted per day in <see cref="Days"/>.</summary>
    public bool HasLedgerRows { get; init; } = true;
    public required IReadOnlyList<DayCount> Days { get; init; }
}

/// <summary>
/// Connection state of one system of an integration (<see cref="ConnectionStatusReader"/>): status is one of
/// <see cref="ConnectionStatuses"/>, with the error that caused it, when the deciding signal was seen and what it was.
/// </summary>
public sealed record ConnectionState(string System, string Status, string? ErrorCode = null, string? Message = null, DateTimeOffset? ExpiresAt = null,
    string? Role = null, string? Company = null, DateTimeOffset? At = null, string? Signal = null);

/// <summary>The connection statuses the console and `junipeer integration show` report.</summary>
public static class ConnectionStatuses
{
    public const string Connected = "connected";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
    public const string NeverConnected = "never-connected";
}

public sealed record IntegrationOverview
{
    public required string IntegrationId { get; init; }
    public required string Name { get; init; }

    /// <summary>Null when no connection-status source is registered (nothing known, not "connected").</summary>
    public IReadOnlyList<ConnectionState>? Connections { get; init; }
    public required IReadOnlyList<FlowOverview> Flows { get; init; }
    public int FailedTotal { get; init; }
    public DateTimeOffset GeneratedAt { get; init; }
}

/// <summary>A failed entity with what the catalogue says about its code.</summary>
public sealed record FailedEntity
{
    public required string Flow { get; init; }
    public required string EntityKey { get; init; }
    public string? Code { get; init; }
    public string? Message { get; init; }
    public string? Title { get; init; }
    public string? Cause { get; init; }
    public string? Fix { get; init; }
    public bool RetriesByItself { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public bool CanRetry { get; init; }

    /// <summary>When Retry cannot queue the entity itself: what re-syncs it.</summary>
    public string? RetryNote { get; init; }
    public IReadOnlyDictionary<string, string> Documents { get; init; } = new Dictionary<string, string>();
}

public sealed record RetryResult(string Flow, string EntityKey, string PreviousStatus, bool Enqueued, string? Note, DateTimeOffset EnqueuedAt);

public sealed record BulkRetryResult(string Flow, string? Code, IReadOnlyList<string> Enqueued, DateTimeOffset EnqueuedAt);

public sealed record BackfillResult(string Flow, DateTimeOffset From, int Seen, int Enqueued, int AlreadyDone, int NotOwned);

public sealed record PoisonReplayResult(int FromPoisonQueues, int FromLedger, IReadOnlyList<string> Entities);

/// <summary>Progress of a wait for re-synced entities: each counts once its row changed after the enqueue and is Done or Failed.</summary>
public sealed record WaitProgress(int Total, int Done, int Failed, int Waiting, IReadOnlyList<FailedEntity> Failures, bool TimedOut);

/// <summary>An event-log query: substring of the entity reference, severity ("failed" = Error), flow.</summary>
public sealed record EventQuery(string? Reference = null, EventSeverity? Severity = null, string? Flow = null, int Take = 100);

/// <summary>One entity's ledger state (error fields only while it is not done).</summary>
public sealed record EntityState(string Flow, string EntityKey, string Status, string Phase, IReadOnlyDictionary<string, string> Documents,
    string? Code, string? Message, string? Fix, int Attempts, DateTimeOffset? UpdatedAt);
