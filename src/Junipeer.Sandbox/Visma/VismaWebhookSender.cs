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
public sealed class VismaWebhookSender : IDisposable
{
    private readonly SandboxState _state;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _pump = new(1, 1);

    public VismaWebhookSender(SandboxState state, HttpClient http)
    {
        _state = state;
        _http = http;
        // Inventory Item notifications go out as soon as a quantity changes in a subscribed company.
        _state.Visma.InventoryNotificationsQueued += () => _ = PumpQuietlyAsync();
    }

    private async Task PumpQuietlyAsync()
    {
        try
        {
            await DeliverInventoryAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The Sandbox is shutting down.
        }
    }

    public const string SignatureHeader = "x-vwd-signature-v1";

    public void Dispose() => _pump.Dispose();

    /// <summary>
    /// Inventory Item "Changed" (publisher Visma Net Financial) in the legacy lower-snake spelling the reference documents
    /// (<c>inventoryitem_changed</c>); the Developer Portal envelope's spelling is not published (UNCERTAIN).
    /// </summary>
    public const string InventoryItemChanged = "inventoryitem_changed";

    public static string InventoryBody(string contextId, string inventoryNumber, DateTimeOffset at) => new JsonArray(new JsonObject
    {
        ["notificationId"] = Guid.NewGuid().ToString(),
        ["contextId"] = contextId,
        ["event"] = InventoryItemChanged,
        ["relativeResourceUri"] = "api/v1/inventory/" + Uri.EscapeDataString(inventoryNumber),
        ["resourceUri"] = "https://api.finance.visma.net/v1/inventory/" + Uri.EscapeDataString(inventoryNumber),
        ["status"] = "Completed",
        ["timeStamp"] = at.UtcTicks,
    }).ToJsonString();

    /// <summary>
    /// Delivers every queued Inventory Item notification (in order, one POST each, the dispatcher's drop and duplicate
    /// rolls applied). Runs by itself after each quantity change; awaiting it (or <c>POST /_sandbox/visma/webhooks/inventory/flush</c>)
    /// returns once everything queued so far was delivered.
    /// </summary>
    public async Task DeliverInventoryAsync(CancellationToken ct)
    {
        await _pump.WaitAsync(ct);
        try
        {
            while (_state.Visma.TryTakeInventoryNotification(out var n))
            {
                if (n.Drop)
                    continue;
                var body = InventoryBody(n.Tenant, n.InventoryNumber, n.At);
                for (var attempt = 0; attempt < (n.Duplicate ? 2 : 1); attempt++)
                {
                    if (!await PostInventoryAsync(n, body, ct))
                        _state.Visma.CountInventoryDeliveryFailed();
                }
            }
        }
        finally
        {
            _pump.Release();
        }
    }

    private async Task<bool> PostInventoryAsync(InventoryNotification n, string body, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, n.TargetUrl);
        message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation(SignatureHeader, Sign(n.Secret, body));
        _state.Stats.Call("webhook POST visma-inventory");
        try
        {
            using var response = await _http.SendAsync(message, ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

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
                _state.Visma.CountSignal(dropped: true, duplicated: false);
                continue;
            }

            _state.Visma.CountSignal(dropped: false, duplicated: duplicate);
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
        var body = Body(request.ContextId, number, _state.Clock.GetUtcNow());
        using var message = new HttpRequestMessage(HttpMethod.Post, target);
        message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation(SignatureHeader, Sign(request.Secret, body));
        _state.Stats.Call("webhook POST visma-shipment");
        try
        {
            using var response = await _http.SendAsync(message, ct);
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
