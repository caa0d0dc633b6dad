using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Junipeer.Core.Stock;
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
/// <para>Stock hints: a notification for an inventory item (an event Visma documents for entity Inventory Item:
/// Changed, Created, Updated — in any spelling of the name, e.g. the legacy <c>inventoryitem_changed</c> — or, without an
/// event name, a resource <c>…/inventory/{number}</c>) becomes one message on queue <c>stock-hints</c> per call when the
/// integration has <c>Stock.Enabled</c> and <c>Stock.WebhookHints</c>; otherwise it is counted as ignored and the answer
/// says <c>stockHint: "off"</c>. Visma does not document the Developer Portal payload, nor whether a change of an item's
/// available quantity (receipts, issues, shipments) raises Inventory Item Changed at all (VERIFY on a live company): the
/// hint only moves a pass forward, the stock timer stays the guarantee. The signature may be made with the shipments
/// subscription's key or with <c>Stock.WebhookSecretName</c> (each with its previous key).</para>
/// </summary>
public sealed partial class VismaWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IIntakeQueue queue,
    TimeProvider time,
    ILogger<VismaWebhookIntake> logger,
    OperatorAlerts alerts)
{
    private const string UnknownIntegrationKey = "junipeer-unknown-integration";

    [GeneratedRegex(@"(?:^|/)shipment/([^/?#]+)/?(?:[?#].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ShipmentResource();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    private static partial Regex ShipmentNumber();

    [GeneratedRegex(@"(?:^|/)inventory/[^/?#]+/?(?:[?#].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex InventoryResource();

    /// <summary>
    /// The Inventory Item events Visma documents (docs.vismasoftware.no/vismanetapi/webhooks/event-and-entities: Changed,
    /// Created, Updated; "Action Triggered" is a custom button, not a change), compared with letters only and case
    /// ignored, so the display name, the legacy lower-snake name and a dotted name all match.
    /// </summary>
    public static readonly IReadOnlySet<string> InventoryItemEvents = new HashSet<string>(StringComparer.Ordinal)
    {
        "inventoryitemchanged", "inventoryitemcreated", "inventoryitemupdated",
    };

    /// <summary>True for a notification about an inventory item (see the class summary).</summary>
    public static bool IsInventoryNotification(string? eventName, string? resource)
    {
        if (eventName is not null)
        {
            return InventoryItemEvents.Contains(new string([.. eventName.Where(char.IsAsciiLetter).Select(char.ToLowerInvariant)]));
        }

        return resource is not null && InventoryResource().IsMatch(resource) && !ShipmentResource().IsMatch(resource);
    }

    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string? signatureHeader, string rawBody, CancellationToken ct)
    {
        if (!VismaWebhookVerifier.HasSignatureShape(signatureHeader))
        {
            return WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureMissing, $"No usable {VismaWebhookVerifier.HeaderName} header (Base64 HMAC-SHA256 of the body).");
        }

        var integration = await integrations.GetAsync(integrationId, ct);
        var settings = integration?.Shipments;
        var keys = integration is null ? [] : SigningKeys(integration);
        if (integration is null || settings is null || keys.Count == 0)
        {
            VismaWebhookVerifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null);
            logger.LogWarning("Rejected Visma webhook: {ErrorCode} for integration id {IntegrationId}",
                integration is null ? ErrorCodes.IntegrationNotFound : ErrorCodes.SecretNotConfigured, WebhookRequests.Sanitize(integrationId));
            return NotAuthenticated();
        }

        var resolved = keys.Select(k => (k.Current, Secret: secrets.TryResolve(k.Current), Previous: k.Previous is { } p ? secrets.TryResolve(p) : null)).ToList();
        if (resolved.All(k => k.Secret is null))
        {
            VismaWebhookVerifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null);
            var names = string.Join(", ", keys.Select(k => k.Current));
            logger.LogError("Rejected Visma webhook for {IntegrationId}: {ErrorCode}, webhook secret {SecretName} is not configured",
                integration.Id, ErrorCodes.SecretNotConfigured, names);
            await RejectedAsync(integration.Id, ErrorCodes.SecretNotConfigured, $"webhook secret {names} is not configured");
            return NotAuthenticated();
        }

        var verified = false;
        foreach (var key in resolved.Where(k => k.Secret is not null))
        {
            // Every key is checked (no early exit), each in constant time.
            verified |= VismaWebhookVerifier.Verify(signatureHeader, rawBody, key.Secret!, key.Previous);
        }

        if (!verified)
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
        var inventory = 0;
        foreach (var (eventName, resource) in notifications)
        {
            var m = resource is null ? null : ShipmentResource().Match(resource);
            if (m is not { Success: true })
            {
                if (IsInventoryNotification(eventName, resource))
                    inventory++;
                else
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
        var work = distinct.ConvertAll(n => new IntakeItem(ShipmentSyncHandler.Item(integration.Id, n, WorkReasons.Webhook, $"vwh-{Guid.NewGuid():N}", now)));

        var stockHint = StockHintNone;
        if (inventory > 0 && integration.Stock is { Enabled: true, WebhookHints: true } stock)
        {
            // One hint per call, however many items it names: the pass reads every changed item anyway.
            work.Add(new IntakeItem(StockHintHandler.Item(integration.Id, $"vwh-{Guid.NewGuid():N}", now),
                stock.HintDelaySeconds > 0 ? TimeSpan.FromSeconds(stock.HintDelaySeconds) : null));
            stockHint = StockHintEnqueued;
        }
        else if (inventory > 0)
        {
            ignored += inventory;
            stockHint = StockHintOff;
            logger.LogInformation("Visma webhook for {IntegrationId}: {Count} inventory notifications ignored: stock webhook hints are off ({Setting}); the StockSync timer syncs stock",
                integration.Id, inventory, integration.Stock.Enabled ? "stock.webhookHints is false" : "stock.enabled is false");
        }

        // The one durable write, group-committed with concurrent webhooks (GroupCommitIntakeQueue).
        await queue.EnqueueAsync(work, ct);
        logger.LogInformation("Visma webhook for {IntegrationId}: {Events} notifications, {Enqueued} shipments enqueued, {Duplicates} duplicates, {Ignored} ignored, stock hint {StockHint}",
            integration.Id, notifications.Count, distinct.Count, duplicates, ignored, stockHint);
        return new WebhookIntakeResult(202, new VismaWebhookAccepted(notifications.Count, distinct.Count, duplicates, ignored, inventory, stockHint));
    }

    public const string StockHintNone = "none";
    public const string StockHintEnqueued = "enqueued";
    public const string StockHintOff = "off";

    /// <summary>The signing keys that may sign this integration's Visma notifications: the shipments subscription's and the stock one's.</summary>
    private static List<(string Current, string? Previous)> SigningKeys(Integration integration)
    {
        var keys = new List<(string Current, string? Previous)>();
        if (integration.Shipments.WebhookSecretName is { } s)
            keys.Add((s, integration.Shipments.PreviousWebhookSecretName));
        if (integration.Stock.WebhookSecretName is { } k && !keys.Any(x => x.Current == k))
            keys.Add((k, integration.Stock.PreviousWebhookSecretName));
        return keys;
    }

    /// <summary>The event name and resource reference (relativeResourceUri, else resourceUri) of each notification, or an error text.</summary>
    public static (List<(string? Event, string? Resource)> Notifications, string? Error) Parse(string rawBody)
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
            return (items.Select(i => (Str(i, "event"), Str(i, "relativeResourceUri") ?? Str(i, "resourceUri"))).ToList(), null);
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

    /// <summary>The answer to an accepted Visma webhook: the shipment counts, plus the inventory notifications and what became of them (<c>stockHint</c>: none, enqueued, off).</summary>
    public sealed record VismaWebhookAccepted(int Events, int Enqueued, int Duplicates, int Ignored, int InventoryNotifications, string StockHint);

    private static WebhookIntakeResult NotAuthenticated() =>
        WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureInvalid, WebhookRequests.NotAuthenticatedMessage);
}
