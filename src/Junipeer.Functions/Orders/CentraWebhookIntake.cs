using System.Globalization;
using Junipeer.Connectors.Centra;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Orders;

/// <summary>What the webhook endpoint answers: status code plus a JSON body.</summary>
public sealed record WebhookIntakeResult(int StatusCode, object Body)
{
    public static WebhookIntakeResult Error(int status, string code, string message) => new(status, new ErrorBody(code, message));
}

public sealed record ErrorBody(string Code, string Message);

/// <summary>
/// Accepted webhook: <paramref name="Duplicates"/> counts repeats of an order within this call
/// (repeats across calls are enqueued again; the order handler is idempotent).
/// </summary>
public sealed record WebhookAccepted(int Events, int Enqueued, int Duplicates, int Ignored);

/// <summary>
/// Centra webhook intake, built to acknowledge fast and never lose an event:
/// <list type="number">
/// <item>No signature header → 401 before anything else.</item>
/// <item>The integration comes from the in-memory cache (<see cref="IIntegrationStore"/> is the
/// cached store); the signature is verified (current or previous secret, timestamp tolerance)
/// before any storage write. An unknown integration, an unconfigured secret and a bad signature
/// all answer the same 401 WEBHOOK_SIGNATURE_INVALID; only the log tells them apart.</item>
/// <item>The payload and every order event id are validated before anything is stored
/// (400 WEBHOOK_PAYLOAD_INVALID / WEBHOOK_EVENT_ID_INVALID, nothing enqueued).</item>
/// <item>The only durable write is the enqueue of one work item per order. There is no inbox
/// mark that could get ahead of the enqueue: if the enqueue fails the request fails (5xx) and
/// Centra's retry is accepted like the first attempt; a redelivered event enqueues the order
/// again, which is harmless because the order handler is idempotent (ledger, lookup by reference).</item>
/// </list>
/// Webhooks are hints: the sweep guarantees that nothing is missed.
/// </summary>
public sealed class CentraWebhookIntake(
    IIntegrationStore integrations,
    ISecretResolver secrets,
    IIntakeQueue queue,
    CentraWebhookVerifier verifier,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<CentraWebhookIntake> logger,
    OperatorAlerts alerts)
{
    /// <summary>The one answer for every authentication failure that could reveal whether an integration exists.</summary>
    public const string NotAuthenticatedMessage = Webhooks.WebhookRequests.NotAuthenticatedMessage;

    /// <summary>Largest Centra order number (GraphQL Int).</summary>
    public const long MaxOrderNumber = int.MaxValue;

    public async Task<WebhookIntakeResult> HandleAsync(string integrationId, string? signatureHeader, string rawBody, CancellationToken ct)
    {
        if (!CentraWebhookVerifier.HasSignatureShape(signatureHeader))
        {
            return WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureMissing, $"No usable {CentraWebhookVerifier.HeaderName} header (t=<unix>,v1=<hex>).");
        }

        var integration = await integrations.GetAsync(integrationId, ct);
        if (integration?.Shop.Centra is not { } centra)
        {
            // Same work and same answer as a bad signature, so callers cannot probe for integrations.
            verifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null, options.Value.Webhooks.ToleranceSeconds);
            logger.LogWarning("Rejected Centra webhook: {ErrorCode} for integration id {IntegrationId}", ErrorCodes.IntegrationNotFound, Sanitize(integrationId));
            return NotAuthenticated();
        }

        var current = secrets.TryResolve(centra.WebhookSecretName);
        if (current is null)
        {
            verifier.Verify(signatureHeader, rawBody, UnknownIntegrationKey, null, options.Value.Webhooks.ToleranceSeconds);
            logger.LogError("Rejected Centra webhook for {IntegrationId}: {ErrorCode}, webhook secret {SecretName} is not configured",
                integration.Id, ErrorCodes.SecretNotConfigured, centra.WebhookSecretName);
            await RejectedAsync(integration.Id, ErrorCodes.SecretNotConfigured, $"webhook secret {centra.WebhookSecretName} is not configured");
            return NotAuthenticated();
        }

        var previous = centra.PreviousWebhookSecretName is { } p ? secrets.TryResolve(p) : null;
        var check = verifier.Verify(signatureHeader, rawBody, current, previous, options.Value.Webhooks.ToleranceSeconds);
        if (!check.IsValid)
        {
            logger.LogWarning("Rejected Centra webhook for {IntegrationId}: {ErrorCode} ({Reason})", integration.Id, check.ErrorCode, check.Reason);
            await RejectedAsync(integration.Id, check.ErrorCode, check.Reason);
            // A stale timestamp needs a valid signature, so saying so reveals nothing to a prober.
            return check.Status == WebhookVerificationStatus.Stale
                ? WebhookIntakeResult.Error(401, ErrorCodes.WebhookTimestampOutOfTolerance, check.Reason)
                : NotAuthenticated();
        }

        var parsed = CentraWebhookPayload.Parse(rawBody);
        if (!parsed.Success)
        {
            await RejectedAsync(integration.Id, ErrorCodes.WebhookPayloadInvalid, parsed.Error!);
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookPayloadInvalid, parsed.Error!);
        }

        var orders = parsed.Events.Where(e => string.Equals(e.Type, "order", StringComparison.OrdinalIgnoreCase)).ToList();
        var badIds = orders.Where(e => !IsOrderNumber(e.Id)).Select(e => Sanitize(e.Id)).ToList();
        if (badIds.Count > 0)
        {
            logger.LogWarning("Rejected Centra webhook for {IntegrationId}: {ErrorCode}, {Count} order event ids are not order numbers",
                integration.Id, ErrorCodes.WebhookEventIdInvalid, badIds.Count);
            await RejectedAsync(integration.Id, ErrorCodes.WebhookEventIdInvalid, $"{badIds.Count} order event ids are not order numbers");
            return WebhookIntakeResult.Error(400, ErrorCodes.WebhookEventIdInvalid,
                $"Order event ids must be Centra order numbers (digits, 1 to {MaxOrderNumber}); nothing was enqueued. Rejected: {string.Join(", ", badIds.Take(5).Select(b => $"'{b}'"))}{(badIds.Count > 5 ? ", ..." : "")}.");
        }

        var ignored = parsed.Events.Count - orders.Count;
        var numbers = new List<string>();
        if (integration.Orders.Enabled)
        {
            numbers = orders.Select(e => long.Parse(e.Id, NumberStyles.None, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))
                .Distinct(StringComparer.Ordinal).ToList();
        }
        else
        {
            ignored += orders.Count;
        }

        var duplicates = integration.Orders.Enabled ? orders.Count - numbers.Count : 0;
        var now = time.GetUtcNow();
        var work = numbers.Select(n => new IntakeItem(WorkItem.ForOrder(integration.Id, n, WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", now))).ToList();
        if (integration.Payouts.Enabled && integration.Payouts.ShopRefunds)
        {
            // A refund made in Centra changes the order, so every order event is also a hint for the refunds
            // queue (the refund handler books nothing for an order without new refunds).
            work.AddRange(orders.Select(e => long.Parse(e.Id, NumberStyles.None, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))
                .Distinct(StringComparer.Ordinal)
                .Select(n => new IntakeItem(WorkItem.ForRefunds(integration.Id, n, WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", now))));
        }

        // The one durable write, group-committed with concurrent webhooks (GroupCommitIntakeQueue).
        await queue.EnqueueAsync(work, ct);

        logger.LogInformation("Centra webhook for {IntegrationId}: {Events} events, {Enqueued} enqueued, {Duplicates} duplicates, {Ignored} ignored",
            integration.Id, parsed.Events.Count, numbers.Count, duplicates, ignored);
        return new WebhookIntakeResult(202, new WebhookAccepted(parsed.Events.Count, numbers.Count, duplicates, ignored));
    }

    /// <summary>A Centra order number: ASCII digits only, no leading zero, 1..<see cref="MaxOrderNumber"/>.</summary>
    public static bool IsOrderNumber(string? id) =>
        id is { Length: > 0 and <= 10 } && id[0] != '0' && id.All(char.IsAsciiDigit)
        && long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) <= MaxOrderNumber;

    /// <summary>
    /// A rejected webhook for a known integration as an operator alert (WEBHOOK_REJECTED, throttled per
    /// integration and code). Unknown integration ids raise none: there is no integration to tell.
    /// </summary>
    private Task<bool> RejectedAsync(string integrationId, string? code, string reason) =>
        alerts.RaiseAsync(integrationId, Flows.Orders, "centra-webhook:" + (code ?? "?"), ErrorCodes.WebhookRejected,
            $"A Centra webhook was rejected with {code}: {reason}. Nothing was enqueued; the sweep still picks up every order.", CancellationToken.None);

    private static WebhookIntakeResult NotAuthenticated() =>
        WebhookIntakeResult.Error(401, ErrorCodes.WebhookSignatureInvalid, NotAuthenticatedMessage);

    private const string UnknownIntegrationKey = "junipeer-unknown-integration";

    private static string Sanitize(string? value) => Webhooks.WebhookRequests.Sanitize(value);
}
