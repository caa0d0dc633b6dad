using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Payouts;

/// <summary>
/// Stripe webhook intake (<c>POST /api/webhooks/stripe/{integrationId}</c>), the Centra webhook's rules:
/// <list type="number">
/// <item>The integration comes from the in-memory cache; <c>Stripe-Signature</c> is verified with
/// <see cref="StripeSignature"/> (300 s tolerance, any <c>v1</c> value) against the secret named by
/// <c>payouts.providers.stripe.webhookSecretName</c> before anything else. An unknown integration, no
/// Stripe settings or secret name, an unconfigured secret, a missing header and a bad signature all
/// answer the same 401 PAYOUT_WEBHOOK_SIGNATURE_INVALID; only the log tells them apart.</item>
/// <item>The body must be a Stripe event (<c>{type, data: {object}}</c>) → else 400 WEBHOOK_PAYLOAD_INVALID.
/// <c>payout.paid</c> and <c>payout.reconciliation_completed</c> name a payout (<c>data.object.id</c>,
/// <c>po_…</c>; malformed → 400 WEBHOOK_EVENT_ID_INVALID); every other type is acknowledged and ignored.</item>
/// <item>The only durable write is the enqueue of one work item (key <c>stripe:&lt;po_id&gt;</c>) on
/// queue <c>payouts</c>; a redelivery is enqueued again and the exactly-once handler makes it harmless. 202.</item>
/// </list>
/// The event is a hint: the handler reads the payout and its transactions from Stripe.
/// </summary>
public sealed partial class StripeWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IIntakeQueue queue,
    TimeProvider time,
    ILogger<StripeWebhookIntake> logger)
{
    /// <summary>Event types that enqueue the payout (Stripe lists a payout's transactions once it is reconciled).</summary>
    public static readonly IReadOnlyList<string> PayoutEvents = ["payout.paid", "payout.reconciliation_completed"];

    private const string UnknownIntegrationKey = "whsec_junipeer_unknown_integration";

    [GeneratedRegex("^po_[A-Za-z0-9]{1,250}$")]
    private static partial Regex PayoutId();

    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string? signatureHeader, string rawBody, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var integration = await integrations.GetAsync(integrationId, ct);
        var settings = integration?.Payouts.Providers.GetValueOrDefault(PayoutProviders.Stripe);
        string? secret = null;
        string why;
        if (integration is null)
            why = ErrorCodes.IntegrationNotFound;
        else if (settings?.WebhookSecretName is not { } name)
            why = ErrorCodes.SecretNotConfigured + " (payouts.providers.stripe.webhookSecretName not set)";
        else if ((secret = secrets.TryResolve(name)) is null)
            why = ErrorCodes.SecretNotConfigured + $" (secret {name} not configured)";
        else
            why = ErrorCodes.PayoutWebhookSignatureInvalid;

        try
        {
            // Same work for every case, so the answer's timing does not tell whether the integration exists.
            StripeSignature.Verify(signatureHeader, rawBody, [secret ?? UnknownIntegrationKey], now);
            if (secret is null)
                return NotAuthenticated(integrationId, why);
        }
        catch (JunipeerException ex) when (ex.Code == ErrorCodes.PayoutWebhookSignatureInvalid)
        {
            return NotAuthenticated(integrationId, secret is null ? why : ex.Message);
        }

        var (type, payoutId, error) = Parse(rawBody);
        if (error is not null)
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookPayloadInvalid, error);
        if (!PayoutEvents.Contains(type, StringComparer.Ordinal))
        {
            logger.LogInformation("Stripe webhook for {IntegrationId}: event {Type} acknowledged and ignored", integration!.Id, WebhookRequests.Sanitize(type));
            return new WebhookIntakeResult(202, new WebhookAccepted(1, 0, 0, 1));
        }

        if (payoutId is null || !PayoutId().IsMatch(payoutId))
        {
            logger.LogWarning("Rejected Stripe webhook for {IntegrationId}: {ErrorCode}", integration!.Id, ErrorCodes.WebhookEventIdInvalid);
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookEventIdInvalid,
                $"A {type} event must carry a Stripe payout id (po_…) in data.object.id; got '{WebhookRequests.Sanitize(payoutId)}'. Nothing was enqueued.");
        }

        if (!integration!.Payouts.Enabled)
        {
            logger.LogInformation("Stripe webhook for {IntegrationId}: payouts are off, {Payout} ignored", integration.Id, payoutId);
            return new WebhookIntakeResult(202, new WebhookAccepted(1, 0, 0, 1));
        }

        await queue.EnqueueAsync([new IntakeItem(WorkItem.ForPayout(integration.Id, PayoutProviders.Stripe, payoutId, WorkReasons.Webhook, $"swh-{Guid.NewGuid():N}", now))], ct);
        logger.LogInformation("Stripe webhook for {IntegrationId}: {Type} {Payout} enqueued", integration.Id, type, payoutId);
        return new WebhookIntakeResult(202, new WebhookAccepted(1, 1, 0, 0));
    }

    /// <summary>The event's type and, for a payout object, its id; or an error text.</summary>
    public static (string Type, string? PayoutId, string? Error) Parse(string rawBody)
    {
        try
        {
            using var doc = JsonDocument.Parse(rawBody);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
                return ("", null, "The body must be a Stripe event object with 'type' and 'data.object'.");
            var id = obj.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            return (t.GetString()!, id, null);
        }
        catch (JsonException)
        {
            return ("", null, "The body is not JSON.");
        }
    }

    private WebhookIntakeResult NotAuthenticated(string integrationId, string why)
    {
        logger.LogWarning("Rejected Stripe webhook for integration id {IntegrationId}: {Reason}", WebhookRequests.Sanitize(integrationId), why);
        return WebhookIntakeResult.Error(401, ErrorCodes.PayoutWebhookSignatureInvalid, WebhookRequests.NotAuthenticatedMessage);
    }
}
