using Junipeer.Core.Sync;

namespace Junipeer.Core.Operations;

/// <summary>A flow that keeps ledger rows, and the queue work kind that re-syncs one of its entities (null: rows of a parent's work item).</summary>
public sealed record OperationFlow(string Name, string? WorkKind, string Label, string? ParentFlow);

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
    public required IReadOnlyList<DayCount> Days { get; init; }
}

/// <summary>Connection state of one system of an integration, as far as a connection-status source reports it.</summary>
public sealed record ConnectionState(string System, string Status, string? ErrorCode = null, string? Message = null, DateTimeOffset? ExpiresAt = null);

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
