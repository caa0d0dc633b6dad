using System.Buffers;
using System.Text;
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
    public const int MaxBodyBytes = 1024 * 1024;

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

    /// <summary>The body as UTF-8 text, or null as soon as it turns out longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<string?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, limit + 1) - total), ct);
                if (read == 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, total);
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ObjectResult TooLarge() =>
        Json(WebhookIntakeResult.Error(413, ErrorCodes.WebhookBodyTooLarge, $"The body is larger than {MaxBodyBytes} bytes."));

    private static ObjectResult Json(WebhookIntakeResult r) => new(r.Body) { StatusCode = r.StatusCode };
}
