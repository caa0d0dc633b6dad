using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Orders;

/// <summary>
/// A message that failed on every delivery lands in the poison queue: its entity ends as Failed
/// with SYNC_RETRIES_EXHAUSTED (keeping the last error seen) and an operator event.
/// </summary>
public sealed class PoisonHandler(ISyncLedger ledger, IEventLog events, TimeProvider time, ILogger<PoisonHandler> logger)
{
    public async Task HandleAsync(WorkItem item, string flow, CancellationToken ct)
    {
        var key = new LedgerKey(item.IntegrationId, flow, item.EntityKey);
        var entry = await ledger.GetAsync(key, ct);
        if (entry?.Status == LedgerStatus.Done)
        {
            return; // a later delivery succeeded
        }

        var last = entry?.ErrorCode is null ? "" : $" Last error {entry.ErrorCode}: {entry.ErrorMessage}";
        var message = $"Retries exhausted for {flow} {item.EntityKey}.{last}";
        if (entry is not null)
        {
            try
            {
                await ledger.SaveAsync(entry with
                {
                    Status = LedgerStatus.Failed,
                    LeaseOwner = null,
                    LeaseUntil = null,
                    ErrorCode = ErrorCodes.PoisonMessage,
                    ErrorMessage = message,
                    UpdatedAt = time.GetUtcNow(),
                }, ct);
            }
            catch (LedgerConflictException)
            {
                entry = await ledger.GetAsync(key, ct);
                if (entry?.Status == LedgerStatus.Done)
                {
                    return;
                }
            }
        }

        logger.LogError("{Flow} {EntityKey} moved to poison: {Message}", flow, item.EntityKey, message);
        await events.AppendAsync(new OperatorEvent
        {
            IntegrationId = item.IntegrationId,
            Flow = flow,
            EntityKey = item.EntityKey,
            Severity = EventSeverity.Error,
            Message = message,
            ErrorCode = ErrorCodes.PoisonMessage,
            Fix = ErrorCodes.Get(ErrorCodes.PoisonMessage).Fix,
            CorrelationId = item.CorrelationId,
            At = time.GetUtcNow(),
        }, ct);
    }
}
