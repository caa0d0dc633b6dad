using System.Text;
using Junipeer.Core.Errors;
using Junipeer.Functions.Intake;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Functions;

/// <summary>POST /api/webhooks/centra/{integrationId}: verify, dedupe, enqueue, 202.</summary>
public sealed class CentraWebhookFunction(CentraWebhookIntake intake)
{
    public const int MaxBodyBytes = 1024 * 1024;

    [Function("CentraWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/centra/{integrationId}")] HttpRequest req,
        string integrationId,
        CancellationToken cancellationToken)
    {
        if (req.ContentLength > MaxBodyBytes)
        {
            return Json(WebhookIntakeResult.Error(413, ErrorCodes.WebhookPayloadInvalid, $"Body larger than {MaxBodyBytes} bytes."));
        }

        using var reader = new StreamReader(req.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(cancellationToken);
        return Json(await intake.HandleAsync(integrationId, req.Headers["X-Centra-Signature"].ToString(), raw, cancellationToken));
    }

    private static ObjectResult Json(WebhookIntakeResult r) => new(r.Body) { StatusCode = r.StatusCode };
}
