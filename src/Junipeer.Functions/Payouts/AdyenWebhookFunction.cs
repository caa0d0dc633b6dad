using Junipeer.Connectors.Payments.Adyen;
using Junipeer.Core.Errors;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Payouts;

/// <summary>POST /api/webhooks/adyen/{integrationId}: body limit, verify HMAC, enqueue, "[accepted]" (see <see cref="AdyenWebhookIntake"/>).</summary>
public sealed class AdyenWebhookFunction(AdyenWebhookIntake intake)
{
    [Function("AdyenWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/adyen/{integrationId}")] HttpRequest req,
        string integrationId,
        CancellationToken cancellationToken)
    {
        if (req.ContentLength > WebhookRequests.MaxBodyBytes)
            return TooLarge();
        var raw = await WebhookRequests.ReadAtMostAsync(req.Body, WebhookRequests.MaxBodyBytes, cancellationToken);
        if (raw is null)
            return TooLarge();
        var r = await intake.HandleAsync(integrationId, raw, cancellationToken);
        return r.Body is AdyenAccepted
            ? new ContentResult { StatusCode = 200, Content = AdyenNotification.Accepted, ContentType = "text/plain" }
            : new ObjectResult(r.Body) { StatusCode = r.StatusCode };
    }

    private static ObjectResult TooLarge() =>
        new(new ErrorBody(ErrorCodes.WebhookBodyTooLarge, $"The body is larger than {WebhookRequests.MaxBodyBytes} bytes.")) { StatusCode = 413 };
}
