using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Shipments;

/// <summary>
/// Visma.net webhook intake (shipment signals), with the Centra webhook's rules and codes:
/// <list type="number">
/// <item>No usable <c>x-vwd-signature-v1</c> header → 401 WEBHOOK_SIGNATURE_MISSING before anything else.</item>
/// <item>The integration comes from the in-memory cache; the signature is verified (current or
/// previous secret, constant time) before any write. An unknown integration, no webhook secret in
/// Shipments.WebhookSecretName, an unconfigured secret and a bad signature all answer the same 401
/// WEBHOOK_SIGNATURE_INVALID; only the log tells them apart. Visma's signature carries no timestamp,
/// so there is no tolerance check (and no WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE): a replay only makes us
/// look at a shipment again.</item>
/// <item>The body is a JSON array of notifications (the legacy shape, several grouped under load) or
/// one object (ASSUMED for the Developer Portal envelope, which is unpublished); anything else → 400
/// WEBHOOK_PAYLOAD_INVALID. A notification whose resource is a shipment (<c>…/shipment/{nbr}</c> in
/// relativeResourceUri or resourceUri) names a shipment; a malformed number → 400
/// WEBHOOK_EVENT_ID_INVALID; other notifications are ignored.</item>
/// <item>The only durable write is the enqueue of one work item per shipment; duplicates within the
/// call are enqueued once, repeats across calls again (the handler is idempotent). 202.</item>
/// </list>
/// The notification is a hint ("go look"), never the data: the handler reads the shipment from Visma.
/// Signals are unreliable, so the shipment sweep guarantees delivery.
/// </summary>
public sealed partial class VismaWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IWorkQueue queue,
    TimeProvider time,
    ILogger<VismaWebhookIntake> logger,
    OperatorAlerts alerts)
{
    private const string UnknownIntegrationKey = "junipeer-unknown-integration";

    [GeneratedRegex(@"(?:^|/)shipment/([^/?#]+)/?(?:[?#].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ShipmentResource();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    private static partial Regex ShipmentNumber();

    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string? signatureHeader, string rawBody, CancellationToken ct)
    {
        if (!VismaWebhookVerifier.HasSignatureShape(signatureHeader))
        {
            return WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureMissing, $"No usable {VismaWebhookVerifier.HeaderName} header (Base64 HMAC-SHA256 of the body).");
        }

        var integration = await integrations.GetAsync(integrationId, ct);
        var settings = integration?.Shipments;
        if (integration is null || settings?.WebhookSecretName is not { } secretName)
        {
            VismaWebhookVerifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null);
            logger.LogWarning("Rejected Visma webhook: {ErrorCode} for integration id {IntegrationId}",
                integration is null ? ErrorCodes.IntegrationNotFound : ErrorCodes.SecretNotConfigured, WebhookRequests.Sanitize(integrationId));
            return NotAuthenticated();
        }

        var current = secrets.TryResolve(secretName);
        if (current is null)
        {
            VismaWebhookVerifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null);
            logger.LogError("Rejected Visma webhook for {IntegrationId}: {ErrorCode}, webhook secret {SecretName} is not configured",
                integration.Id, ErrorCodes.SecretNotConfigured, secretName);
            await RejectedAsync(integration.Id, ErrorCodes.SecretNotConfigured, $"webhook secret {secretName} is not configured");
            return NotAuthenticated();
        }

        var previous = settings.PreviousWebhookSecretName is { } p ? secrets.TryResolve(p) : null;
        if (!VismaWebhookVerifier.Verify(signatureHeader, rawBody, current, previous))
        {
            logger.LogWarning("Rejected Visma webhook for {IntegrationId}: {ErrorCode}", integration.Id, ErrorCodes.WebhookSignatureInvalid);
            await RejectedAsync(integration.Id, ErrorCodes.WebhookSignatureInvalid, "the signature matches neither the current nor the previous webhook secret");
            return NotAuthenticated();
        }

        var (notifications, error) = Parse(rawBody);
        if (error is not null)
        {
            await RejectedAsync(integration.Id, ErrorCodes.WebhookPayloadInvalid, error);
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookPayloadInvalid, error);
        }

        var numbers = new List<string>();
        var bad = new List<string>();
        var ignored = 0;
        foreach (var resource in notifications)
        {
            var m = resource is null ? null : ShipmentResource().Match(resource);
            if (m is not { Success: true })
            {
                ignored++;
                continue;
            }

            var number = Uri.UnescapeDataString(m.Groups[1].Value);
            if (ShipmentNumber().IsMatch(number))
                numbers.Add(number);
            else
                bad.Add(WebhookRequests.Sanitize(number));
        }

        if (bad.Count > 0)
        {
            logger.LogWarning("Rejected Visma webhook for {IntegrationId}: {ErrorCode}, {Count} shipment ids are malformed", integration.Id, ErrorCodes.WebhookEventIdInvalid, bad.Count);
            await RejectedAsync(integration.Id, ErrorCodes.WebhookEventIdInvalid, $"{bad.Count} shipment ids are malformed");
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookEventIdInvalid,
                $"Shipment ids must be Visma shipment numbers (letters, digits, hyphens; at most 30); nothing was enqueued. Rejected: {string.Join(", ", bad.Take(5).Select(b => $"'{b}'"))}{(bad.Count > 5 ? ", ..." : "")}.");
        }

        var distinct = numbers.Distinct(StringComparer.Ordinal).ToList();
        if (!settings.Enabled)
        {
            ignored += numbers.Count;
            distinct = [];
        }

        var duplicates = settings.Enabled ? numbers.Count - distinct.Count : 0;
        var now = time.GetUtcNow();
        await Task.WhenAll(distinct.Select(n =>
            queue.EnqueueAsync(ShipmentSyncHandler.Item(integration.Id, n, WorkReasons.Webhook, $"vwh-{Guid.NewGuid():N}", now), null, ct)));
        logger.LogInformation("Visma webhook for {IntegrationId}: {Events} notifications, {Enqueued} shipments enqueued, {Duplicates} duplicates, {Ignored} ignored",
            integration.Id, notifications.Count, distinct.Count, duplicates, ignored);
        return new WebhookIntakeResult(202, new WebhookAccepted(notifications.Count, distinct.Count, duplicates, ignored));
    }

    /// <summary>The resource reference of each notification (relativeResourceUri, else resourceUri), or an error text.</summary>
    public static (List<string?> Resources, string? Error) Parse(string rawBody)
    {
        try
        {
            using var doc = JsonDocument.Parse(rawBody);
            var items = doc.RootElement.ValueKind switch
            {
                JsonValueKind.Array => doc.RootElement.EnumerateArray().ToList(),
                JsonValueKind.Object => [doc.RootElement],
                _ => null,
            };
            if (items is null || items.Any(i => i.ValueKind != JsonValueKind.Object))
                return ([], "The body must be a JSON array of notification objects (or one notification object).");
            return (items.Select(i => Str(i, "relativeResourceUri") ?? Str(i, "resourceUri")).ToList(), null);
        }
        catch (JsonException)
        {
            return ([], "The body is not JSON.");
        }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A rejected Visma webhook for a known integration as an operator alert (WEBHOOK_REJECTED, throttled per integration and code).</summary>
    private Task<bool> RejectedAsync(string integrationId, string code, string reason) =>
        alerts.RaiseAsync(integrationId, Flows.Shipments, "visma-webhook:" + code, ErrorCodes.WebhookRejected,
            $"A Visma.net webhook was rejected with {code}: {reason}. Nothing was enqueued; the shipment sweep still picks up every shipment.", CancellationToken.None);

    private static WebhookIntakeResult NotAuthenticated() =>
        WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureInvalid, WebhookRequests.NotAuthenticatedMessage);
}
