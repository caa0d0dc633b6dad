using Junipeer.Connectors.Centra;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Intake;

/// <summary>What the webhook endpoint answers: status code plus a JSON body.</summary>
public sealed record WebhookIntakeResult(int StatusCode, object Body)
{
    public static WebhookIntakeResult Error(int status, string code, string message) => new(status, new ErrorBody(code, message));
}

public sealed record ErrorBody(string Code, string Message);

public sealed record WebhookAccepted(int Events, int Enqueued, int Duplicates, int Ignored);

/// <summary>
/// Centra webhook intake: verify the signature over the raw body (current or previous secret,
/// timestamp tolerance), parse <c>payload=</c>, dedupe each event in the inbox, enqueue one work item
/// per new order event, answer 202 fast. Every rejection has a code and enqueues nothing. Webhooks
/// are hints: the sweep guarantees that nothing is missed.
/// </summary>
public sealed class CentraWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IInbox inbox,
    IWorkQueue queue,
    CentraWebhookVerifier verifier,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<CentraWebhookIntake> logger)
{
    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string? signatureHeader, string rawBody, CancellationToken ct)
    {
        var integration = await integrations.GetAsync(integrationId, ct);
        if (integration?.Shop.Centra is not { } centra)
        {
            return WebhookIntakeResult.Error(404, ErrorCodes.IntegrationNotFound, $"No Centra integration '{integrationId}' is configured here.");
        }

        var current = secrets.TryResolve(centra.WebhookSecretName);
        if (current is null)
        {
            logger.LogError("Webhook secret {SecretName} for {IntegrationId} is not configured", centra.WebhookSecretName, integrationId);
            return WebhookIntakeResult.Error(500, ErrorCodes.SecretNotConfigured, "The webhook secret of this integration is not configured.");
        }

        var previous = centra.PreviousWebhookSecretName is { } p ? secrets.TryResolve(p) : null;
        var check = verifier.Verify(signatureHeader, rawBody, current, previous, options.Value.Webhooks.ToleranceSeconds);
        if (!check.IsValid)
        {
            logger.LogWarning("Rejected Centra webhook for {IntegrationId}: {ErrorCode}", integrationId, check.ErrorCode);
            return WebhookIntakeResult.Error(401, check.ErrorCode!, check.Reason);
        }

        var parsed = CentraWebhookPayload.Parse(rawBody);
        if (!parsed.Success)
        {
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookPayloadInvalid, parsed.Error!);
        }

        int enqueued = 0, duplicates = 0, ignored = 0;
        foreach (var e in parsed.Events)
        {
            if (!string.Equals(e.Type, "order", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(e.Id) || !integration.Orders.Enabled)
            {
                ignored++;
                continue;
            }

            if (!await inbox.TryAcceptAsync(integration.Id, InboxSources.CentraWebhook, $"order|{e.Id}|{e.Action}|{e.Date}", ct))
            {
                duplicates++;
                continue;
            }

            await queue.EnqueueAsync(WorkItem.ForOrder(integration.Id, e.Id, WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", time.GetUtcNow()), null, ct);
            enqueued++;
        }

        logger.LogInformation("Centra webhook for {IntegrationId}: {Events} events, {Enqueued} enqueued, {Duplicates} duplicates, {Ignored} ignored",
            integration.Id, parsed.Events.Count, enqueued, duplicates, ignored);
        return new WebhookIntakeResult(202, new WebhookAccepted(parsed.Events.Count, enqueued, duplicates, ignored));
    }
}
