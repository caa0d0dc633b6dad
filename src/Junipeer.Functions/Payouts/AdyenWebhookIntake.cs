using Junipeer.Connectors.Payments.Adyen;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Payouts;

/// <summary>What an accepted Adyen notification did (the HTTP answer itself is Adyen's "[accepted]").</summary>
public sealed record AdyenAccepted(int Items, int Enqueued, int Ignored);

/// <summary>
/// Adyen notification intake (standard notifications, JSON), the Centra/Visma intakes' rules:
/// <list type="number">
/// <item>The body limit is enforced by the function while streaming (413 WEBHOOK_BODY_TOO_LARGE).</item>
/// <item>A body that is not a standard notification → 400 WEBHOOK_PAYLOAD_INVALID (it says nothing
/// about the integration, so it may come first: Adyen's HMAC is inside the body).</item>
/// <item>The integration comes from the in-memory cache; every item's <c>additionalData.hmacSignature</c>
/// is verified (<see cref="AdyenHmac"/>, the hex key under <c>payouts.providers.adyen.webhookSecretName</c>,
/// constant time) before any write. An unknown integration, no Adyen settings or secret, an
/// unconfigured secret and a bad or missing signature all answer the same 401
/// PAYOUT_WEBHOOK_SIGNATURE_INVALID; only the log tells them apart.</item>
/// <item><c>REPORT_AVAILABLE</c> for a settlement details report (<c>pspReference</c> =
/// <c>settlement_detail_report_batch_&lt;n&gt;.csv</c>) enqueues one work item on queue <c>payouts</c>,
/// key <c>adyen:&lt;merchant account&gt;:&lt;n&gt;</c>; a malformed merchant account → 400
/// WEBHOOK_EVENT_ID_INVALID. Other event codes and other reports are acknowledged and ignored. The
/// notification's URL (<c>reason</c>) is not used: the connector builds it from settings.</item>
/// <item>200 with Adyen's <c>[accepted]</c>. A redelivery is enqueued again; the payout handler is idempotent.</item>
/// </list>
/// </summary>
public sealed class AdyenWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IIntakeQueue queue,
    TimeProvider time,
    ILogger<AdyenWebhookIntake> logger)
{
    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string rawBody, CancellationToken ct)
    {
        var (items, error) = AdyenNotification.Parse(rawBody);
        if (error is not null)
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookPayloadInvalid, error);

        var integration = await integrations.GetAsync(integrationId, ct);
        var settings = integration?.Payouts.Providers.GetValueOrDefault(PayoutProviders.Adyen);
        var key = settings?.WebhookSecretName is { } name ? secrets.TryResolve(name) : null;
        if (integration is null || key is null)
        {
            _ = items.Select(i => AdyenHmac.Verify(i, "00")).ToList(); // same work as a verification
            logger.LogWarning("Rejected Adyen webhook: {ErrorCode} for integration id {IntegrationId}",
                integration is null ? ErrorCodes.IntegrationNotFound : ErrorCodes.SecretNotConfigured, WebhookRequests.Sanitize(integrationId));
            return NotAuthenticated();
        }

        if (items.Count == 0 || !items.All(i => AdyenHmac.Verify(i, key)))
        {
            logger.LogWarning("Rejected Adyen webhook for {IntegrationId}: {ErrorCode}", integration.Id, ErrorCodes.PayoutWebhookSignatureInvalid);
            return NotAuthenticated();
        }

        var payoutIds = new List<string>();
        var bad = new List<string>();
        var ignored = 0;
        foreach (var item in items)
        {
            var batch = item.EventCode == AdyenNotification.ReportAvailable ? AdyenNotification.SettlementBatch(item.PspReference) : null;
            if (batch is null)
            {
                ignored++;
                continue;
            }

            var merchant = item.MerchantAccountCode ?? "";
            if (AdyenPayoutSource.MerchantAccountCode().IsMatch(merchant))
                payoutIds.Add(AdyenSettlementReport.PayoutId(merchant, batch.Value));
            else
                bad.Add(WebhookRequests.Sanitize(merchant));
        }

        if (bad.Count > 0)
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookEventIdInvalid,
                $"merchantAccountCode must be an Adyen merchant account code (letters, digits, '_', '.', '-'; at most 80); nothing was enqueued. Rejected: {string.Join(", ", bad.Take(5).Select(b => $"'{b}'"))}.");

        var distinct = payoutIds.Distinct(StringComparer.Ordinal).ToList();
        if (!integration.Payouts.Enabled)
        {
            ignored += payoutIds.Count;
            distinct = [];
        }

        var now = time.GetUtcNow();
        await queue.EnqueueAsync(distinct.ConvertAll(id =>
            new IntakeItem(WorkItem.ForPayout(integration.Id, PayoutProviders.Adyen, id, WorkReasons.Webhook, $"awh-{Guid.NewGuid():N}", now))), ct);
        logger.LogInformation("Adyen webhook for {IntegrationId}: {Items} items, {Enqueued} payouts enqueued, {Ignored} ignored",
            integration.Id, items.Count, distinct.Count, ignored);
        return new WebhookIntakeResult(200, new AdyenAccepted(items.Count, distinct.Count, ignored));
    }

    private static WebhookIntakeResult NotAuthenticated() =>
        WebhookIntakeResult.Error(401, ErrorCodes.PayoutWebhookSignatureInvalid, WebhookRequests.NotAuthenticatedMessage);
}
