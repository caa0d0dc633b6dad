using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Visma;

/// <summary>Body of <c>POST /_sandbox/visma/webhooks</c>: Visma "Shipment — Status Changed" notifications.</summary>
public sealed class VismaWebhookRequest
{
    /// <summary>Absolute URL the notifications are POSTed to.</summary>
    public string TargetUrl { get; set; } = "";

    /// <summary>The subscription's signature key (Developer Portal).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Visma company id put in <c>contextId</c>.</summary>
    public string ContextId { get; set; } = "";

    /// <summary>One notification per shipment number, in this order.</summary>
    public List<string> ShipmentNumbers { get; set; } = [];

    /// <summary>Probability (0..1) a notification is never sent (Visma's signals are not reliable).</summary>
    public double DropRate { get; set; }

    /// <summary>Probability (0..1) a sent notification is sent again (the dispatcher retries).</summary>
    public double DuplicateRate { get; set; }

    public int Seed { get; set; } = 1;
}

public sealed record VismaWebhookDelivery(string ShipmentNumber, int Attempt, int Status, string? Error);

public sealed record VismaWebhookResult(IReadOnlyList<VismaWebhookDelivery> Deliveries, IReadOnlyList<string> Dropped, IReadOnlyList<string> Duplicated);

/// <summary>
/// Sends notifications as the Visma Webhook Dispatcher does (reference: visma-net-api.md §2.14): a
/// JSON array body (the legacy VNI shape, the best documented; the Developer Portal envelope for ERP
/// events is not published — UNCERTAIN) signed with <c>x-vwd-signature-v1</c> = Base64(HMAC-SHA256(
/// key = UTF-8 secret, message = raw UTF-8 body)). Drops and duplicates by seeded rolls and counts
/// what it did in <see cref="VismaState"/>.
/// </summary>
public sealed class VismaWebhookSender(SandboxState state, HttpClient http)
{
    public const string SignatureHeader = "x-vwd-signature-v1";

    /// <summary>The event name for a shipment status change: the legacy lower-snake pattern (<c>salesorder_changed</c>); the exact ERP name is UNCERTAIN.</summary>
    public const string ShipmentStatusChanged = "shipment_statuschanged";

    public static string Sign(string secret, string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public static string Body(string contextId, string shipmentNumber, DateTimeOffset at) => new JsonArray(new JsonObject
    {
        ["notificationId"] = Guid.NewGuid().ToString(),
        ["contextId"] = contextId,
        ["event"] = ShipmentStatusChanged,
        ["relativeResourceUri"] = "api/v1/shipment/" + Uri.EscapeDataString(shipmentNumber),
        ["resourceUri"] = "https://api.finance.visma.net/v1/shipment/" + Uri.EscapeDataString(shipmentNumber),
        ["status"] = "Completed",
        ["timeStamp"] = at.UtcTicks,
    }).ToJsonString();

    public async Task<VismaWebhookResult> SendAsync(VismaWebhookRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Uri.TryCreate(request.TargetUrl, UriKind.Absolute, out var target))
            throw new ArgumentException("targetUrl must be an absolute URL.", nameof(request));
        var random = new Random(request.Seed);
        var deliveries = new List<VismaWebhookDelivery>();
        var dropped = new List<string>();
        var duplicated = new List<string>();
        foreach (var number in request.ShipmentNumbers)
        {
            var drop = random.NextDouble() < request.DropRate;
            var duplicate = random.NextDouble() < request.DuplicateRate;
            if (drop)
            {
                dropped.Add(number);
                state.Visma.CountSignal(dropped: true, duplicated: false);
                continue;
            }

            state.Visma.CountSignal(dropped: false, duplicated: duplicate);
            deliveries.Add(await PostAsync(target, request, number, 1, ct));
            if (duplicate)
            {
                duplicated.Add(number);
                deliveries.Add(await PostAsync(target, request, number, 2, ct));
            }
        }

        return new VismaWebhookResult(deliveries, dropped, duplicated);
    }

    private async Task<VismaWebhookDelivery> PostAsync(Uri target, VismaWebhookRequest request, string number, int attempt, CancellationToken ct)
    {
        var body = Body(request.ContextId, number, state.Clock.GetUtcNow());
        using var message = new HttpRequestMessage(HttpMethod.Post, target);
        message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation(SignatureHeader, Sign(request.Secret, body));
        state.Stats.Call("webhook POST visma-shipment");
        try
        {
            using var response = await http.SendAsync(message, ct);
            return new VismaWebhookDelivery(number, attempt, (int)response.StatusCode, null);
        }
        catch (HttpRequestException ex)
        {
            return new VismaWebhookDelivery(number, attempt, 0, ex.Message);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            return new VismaWebhookDelivery(number, attempt, 0, "timeout: " + ex.Message);
        }
    }
}
