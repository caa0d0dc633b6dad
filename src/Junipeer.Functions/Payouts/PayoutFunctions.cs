using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Junipeer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Junipeer.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Payouts;

/// <summary>Queue "payouts": one message per payout (key "&lt;provider&gt;:&lt;payout id&gt;") → its customer payments and credit notes.</summary>
public sealed class PayoutSyncFunction(PayoutSyncHandler handler, ILogger<PayoutSyncFunction> logger)
{
    public const string Queue = "payouts";

    [Function("PayoutSync")]
    public async Task Run([QueueTrigger(Queue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, Queue, logger, WorkKinds.Payout);
        if (item is null)
            return;

        await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), cancellationToken);
    }
}

/// <summary>POST /api/webhooks/stripe/{integrationId}: body limit, verify, enqueue, 202 (see <see cref="StripeWebhookIntake"/>).</summary>
public sealed class StripeWebhookFunction(StripeWebhookIntake intake)
{
    [Function("StripeWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/stripe/{integrationId}")] HttpRequest req,
        string integrationId,
        CancellationToken cancellationToken)
    {
        if (req.ContentLength > WebhookRequests.MaxBodyBytes)
            return TooLarge();
        var raw = await WebhookRequests.ReadAtMostAsync(req.Body, WebhookRequests.MaxBodyBytes, cancellationToken);
        if (raw is null)
            return TooLarge();
        var r = await intake.HandleAsync(integrationId, req.Headers[StripeSignature.Header].ToString(), raw, cancellationToken);
        return new ObjectResult(r.Body) { StatusCode = r.StatusCode };
    }

    private static ObjectResult TooLarge() =>
        new(new ErrorBody(ErrorCodes.WebhookBodyTooLarge, $"The body is larger than {WebhookRequests.MaxBodyBytes} bytes.")) { StatusCode = 413 };
}

/// <summary>
/// Timer: the fallback that enqueues paid payouts whose PSP notification never came (see <see cref="PayoutSweepHandler"/>),
/// then the refund sweep (orders changed in Centra → queue "refunds", see <see cref="Junipeer.Core.Refunds.RefundSweepHandler"/>).
/// </summary>
public sealed class PayoutSweepFunction(PayoutSweepHandler handler, Junipeer.Core.Refunds.RefundSweepHandler refunds)
{
    public const string ScheduleSetting = "PayoutSweepSchedule";

    [Function("PayoutSweep")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await handler.RunAsync(cancellationToken);
        await refunds.RunAsync(cancellationToken);
    }
}
