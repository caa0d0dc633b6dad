using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Stock;

/// <summary>What became of one stock hint.</summary>
public enum StockHintOutcome
{
    /// <summary>A stock pass ran for it.</summary>
    Passed,

    /// <summary>A pass that started after the hint was received had already completed: nothing to do.</summary>
    Coalesced,

    /// <summary>Stock or its webhook hints are off for the integration (or it is gone): the hint was ignored.</summary>
    Ignored,

    /// <summary>Another instance runs a pass: the hint was put back on the queue for after it.</summary>
    Deferred,

    /// <summary>The pass failed (reported as an operator event); the timer pass converges.</summary>
    Failed,

    /// <summary>Put back too often; dropped (the timer pass converges).</summary>
    Dropped,
}

/// <summary>
/// Queue <c>stock-hints</c>: a Visma.net inventory notification for an integration with <c>Stock.WebhookHints</c>
/// becomes one message (one per webhook call, however many items it names), delayed by <c>Stock.HintDelaySeconds</c>.
/// The hint carries no data and no authority: it only moves the next stock pass forward. The pass reads the
/// availability delta as the timer does, so a forged hint costs one read, a repeated one is coalesced and a lost one
/// is made up by the timer.
/// <list type="bullet">
/// <item>Coalescing: when the last completed pass started after the hint was received (plus <see cref="ClockSkew"/>
/// for instances whose clocks differ), that pass saw the change; the hint is done. Hints that wait behind a running
/// pass in this process are checked again once it ends, so a burst costs one pass, at most two.</item>
/// <item>A pass running on another instance (its lease is held): the hint goes back on the queue with the same
/// receipt time, at most <see cref="MaxRequeues"/> times.</item>
/// </list>
/// </summary>
public sealed class StockHintHandler(IIntegrationStore integrations, StockSyncHandler stock, IWorkQueue queue, ILogger<StockHintHandler> logger)
{
    /// <summary>Entity key of every stock hint (there is one pass per integration, not per item).</summary>
    public const string EntityKey = "stock";

    /// <summary>How much later than the hint's receipt a pass must have started to count as covering it.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    public const int MaxRequeues = 20;

    public static WorkItem Item(string integrationId, string correlationId, DateTimeOffset receivedAt) => new()
    {
        Kind = WorkKinds.StockHint,
        IntegrationId = integrationId,
        EntityKey = EntityKey,
        Reason = WorkReasons.Webhook,
        CorrelationId = correlationId,
        EnqueuedAt = receivedAt,
    };

    public async Task<StockHintOutcome> HandleAsync(WorkItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var integration = await integrations.GetForWorkAsync(item, ct);
        if (integration is null || !integration.Stock.Enabled || !integration.Stock.WebhookHints)
        {
            logger.LogInformation("Stock hint for {IntegrationId} ignored: {Reason}", item.IntegrationId,
                integration is null ? "no such integration" : !integration.Stock.Enabled ? "stock.enabled is false" : "stock.webhookHints is false (the timer syncs stock)");
            return StockHintOutcome.Ignored;
        }

        var result = await stock.RunReportedAsync(integration, "hint", ct, item.EnqueuedAt + ClockSkew);
        if (result.Coalesced)
        {
            return StockHintOutcome.Coalesced;
        }

        if (result.ErrorCode is not null)
        {
            logger.LogWarning("Stock hint for {IntegrationId}: the pass failed with {ErrorCode}; the timer pass converges", integration.Id, result.ErrorCode);
            return StockHintOutcome.Failed;
        }

        if (result.SkippedBecause is null)
        {
            logger.LogInformation("Stock hint for {IntegrationId}: pass sent {Sent} quantities in {Calls} shop calls", integration.Id, result.Sent, result.ShopCalls);
            return StockHintOutcome.Passed;
        }

        if (item.Requeues >= MaxRequeues)
        {
            logger.LogWarning("Stock hint for {IntegrationId} dropped after {Requeues} requeues ({Reason}); the timer pass converges", integration.Id, item.Requeues, result.SkippedBecause);
            return StockHintOutcome.Dropped;
        }

        await queue.EnqueueAsync(item with { Requeues = item.Requeues + 1 }, TimeSpan.FromSeconds(Math.Max(1, integration.Stock.HintDelaySeconds)), ct);
        logger.LogInformation("Stock hint for {IntegrationId} deferred: {Reason}", integration.Id, result.SkippedBecause);
        return StockHintOutcome.Deferred;
    }
}
