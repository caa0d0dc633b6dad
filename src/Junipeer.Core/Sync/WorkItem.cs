namespace Junipeer.Core.Sync;

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

    /// <summary>The work item that books the refunds made in the shop for one order (queue <c>refunds</c>, key: order number).</summary>
    public static WorkItem ForRefunds(string integrationId, string orderNumber, string reason, string correlationId, DateTimeOffset enqueuedAt) => new()
    {
        Kind = WorkKinds.Refund,
        IntegrationId = integrationId,
        EntityKey = orderNumber,
        Reason = reason,
        CorrelationId = correlationId,
        EnqueuedAt = enqueuedAt,
    };

    /// <summary>The work item that books one PSP payout (key: provider + ':' + payout id).</summary>
    public static WorkItem ForPayout(string integrationId, string provider, string payoutId, string reason, string correlationId, DateTimeOffset enqueuedAt) => new()
    {
        Kind = WorkKinds.Payout,
        IntegrationId = integrationId,
        EntityKey = provider + ":" + payoutId,
        Reason = reason,
        CorrelationId = correlationId,
        EnqueuedAt = enqueuedAt,
    };
}

public static class WorkKinds
{
    public const string Order = "order";
    public const string Payout = "payout";
    public const string Shipment = "shipment";
    public const string Refund = "refund";

    /// <summary>A Visma.net inventory notification: run a stock pass for the integration soon (key "stock"; carries no data).</summary>
    public const string StockHint = "stock-hint";
}

public static class WorkReasons
{
    public const string Webhook = "webhook";
    public const string Sweep = "sweep";
    public const string Replay = "replay";
    public const string RateLimited = "rate-limited";
}
