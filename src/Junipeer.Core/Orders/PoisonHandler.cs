using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Orders;

/// <summary>
/// A message that failed on every delivery lands in the poison queue: its entity ends as Failed
/// with SYNC_RETRIES_EXHAUSTED (keeping the last error seen) and an operator event.
/// </summary>
public sealed class PoisonHandler(ExactlyOnce exactlyOnce, IEventLog events, TimeProvider time, ILogger<PoisonHandler> logger)
{
    public async Task HandleAsync(WorkItem item, string flow, CancellationToken ct)
    {
        var key = new LedgerKey(item.IntegrationId, flow, item.EntityKey);
        var message = "";
        var (entry, written) = await exactlyOnce.FailUnheldAsync(key, ErrorCodes.PoisonMessage, e =>
        {
            var last = e.ErrorCode is null ? "" : $" Last error {e.ErrorCode}: {e.ErrorMessage}";
            return message = $"Retries exhausted for {flow} {item.EntityKey}.{last}";
        }, ct);
        if (entry?.Status == LedgerStatus.Done)
            return; // a later delivery succeeded
        if (!written)
        {
            // Another worker holds the row (or moved it on): its outcome wins; nothing is overwritten.
            logger.LogWarning("{Flow} {EntityKey} reached the poison queue while another worker holds it; left to that worker", flow, item.EntityKey);
            return;
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
