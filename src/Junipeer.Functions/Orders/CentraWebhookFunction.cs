using Junipeer.Core.Errors;
using Junipeer.Functions.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Orders;

/// <summary>
/// POST /api/webhooks/centra/{integrationId}: body limit, verify, validate, enqueue, 202. The body
/// limit comes first and holds for chunked bodies too: at most <see cref="MaxBodyBytes"/> + 1 bytes
/// are ever read from the anonymous caller.
/// </summary>
public sealed class CentraWebhookFunction(CentraWebhookIntake intake)
{
    public const int MaxBodyBytes = Webhooks.WebhookRequests.MaxBodyBytes;

    [Function("CentraWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/centra/{integrationId}")] HttpRequest req,
        string integrationId,
        CancellationToken cancellationToken)
    {
        if (req.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        var raw = await ReadAtMostAsync(req.Body, MaxBodyBytes, cancellationToken);
        if (raw is null)
        {
            return TooLarge();
        }

        return Json(await intake.HandleAsync(integrationId, req.Headers["X-Centra-Signature"].ToString(), raw, cancellationToken));
    }

    /// <summary>The body as UTF-8 text, or null as soon as it turns out longer than <paramref name="limit"/> bytes (shared: <see cref="Webhooks.WebhookRequests"/>).</summary>
    public static Task<string?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct) => Webhooks.WebhookRequests.ReadAtMostAsync(body, limit, ct);

    private static ObjectResult TooLarge() =>
        Json(WebhookIntakeResult.Error(413, ErrorCodes.WebhookBodyTooLarge, $"The body is larger than {MaxBodyBytes} bytes."));

    private static ObjectResult Json(WebhookIntakeResult r) => new(r.Body) { StatusCode = r.StatusCode };
}
