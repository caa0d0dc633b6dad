using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flurl.Http;
using Flurl.Http.Configuration;
using Flurl.Http.Content;
using Junipeer.Connectors.Centra.Dtos;
using Junipeer.Core.Errors;
using Junipeer.Core.Http;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Shipments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Shipments in Centra (the shipments flow's shop port): ListShipments → OrderShipments query
/// (Order.shipments); CreateShipment → createShipment mutation (lines, shippedAt, shipmentInfo with the
/// tracking number, additionalMessage = our reference); CaptureShipment → captureShipment mutation.
/// Mutations answer HTTP 200 with userErrors on failure: those become coded failures carrying
/// Centra's text. A mutation is sent once (never retried after it may have reached Centra: the
/// handler resolves an uncertain create by the order's shipments and a capture by isCaptured).
/// </summary>
public sealed class CentraShipments(
    IFlurlClientCache clients,
    ISecretResolver secrets,
    IOptions<JunipeerOptions> options,
    TimeProvider time,
    ILogger<CentraShipments> logger) : IShopShipments
{
    public const string OrderShipmentsOperation = "OrderShipments";
    public const string CreateShipmentOperation = "CreateShipment";
    public const string CaptureShipmentOperation = "CaptureShipment";

    private const string ShipmentFields = "id number trackingNumber additionalMessage isCaptured isShipped";

    public const string OrderShipmentsQuery = $$"""
        query OrderShipments($number: Int!) {
          orders(where: { number: [$number] }, limit: 1) { number shipments { {{ShipmentFields}} } }
        }
        """;

    public const string CreateShipmentMutation = $$"""
        mutation CreateShipment($input: ShipmentCreateInput!) {
          createShipment(input: $input) { shipment { {{ShipmentFields}} } userErrors { message path } userWarnings { message path } }
        }
        """;

    public const string CaptureShipmentMutation = $$"""
        mutation CaptureShipment($id: Int!) {
          captureShipment(id: $id) { shipment { {{ShipmentFields}} } userErrors { message path } userWarnings { message path } }
        }
        """;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly TimeSpan MaxReportedRetryAfter = TimeSpan.FromHours(1);

    public async Task<IReadOnlyList<ShopShipment>?> ListShipmentsAsync(Integration integration, string orderNumber, CancellationToken cancellationToken)
    {
        if (!int.TryParse(orderNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        var data = await SendAsync(integration, OrderShipmentsOperation, OrderShipmentsQuery, new Dictionary<string, object> { ["number"] = number }, cancellationToken);
        var order = data.GetProperty("orders").EnumerateArray().FirstOrDefault();
        if (order.ValueKind != JsonValueKind.Object)
            return null;
        return order.GetProperty("shipments").EnumerateArray().Select(Shipment).ToList();
    }

    public async Task<ShopShipment> CreateShipmentAsync(Integration integration, ShopShipmentDraft draft, CancellationToken cancellationToken)
    {
        var input = new Dictionary<string, object?>
        {
            ["order"] = new Dictionary<string, object> { ["number"] = int.Parse(draft.OrderNumber, NumberStyles.None, CultureInfo.InvariantCulture) },
            ["lines"] = draft.Lines.Select(l => new Dictionary<string, object>
            {
                ["orderLine"] = new Dictionary<string, object> { ["id"] = int.Parse(l.LineId, NumberStyles.Integer, CultureInfo.InvariantCulture) },
                ["quantity"] = l.Quantity,
            }).ToList(),
            ["isGoodToGo"] = true,
            ["shippedAt"] = draft.ShippedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["shipmentInfo"] = new Dictionary<string, object?>
            {
                ["carrier"] = draft.Carrier,
                ["service"] = draft.Service,
                ["packagesNumber"] = draft.PackagesNumber,
                ["trackingNumber"] = draft.TrackingNumber,
            }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value),
            ["sendEmail"] = draft.SendEmail,
            ["additionalMessage"] = draft.Reference,
        };
        var data = await SendAsync(integration, CreateShipmentOperation, CreateShipmentMutation, new Dictionary<string, object> { ["input"] = input }, cancellationToken);
        var payload = data.GetProperty("createShipment");
        if (UserErrors(payload) is { } errors)
            throw new JunipeerException(ErrorCodes.ShopMutationRejected, $"Centra refused createShipment for order {draft.OrderNumber}: {errors}");
        if (payload.GetProperty("shipment").ValueKind != JsonValueKind.Object)
            throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra answered createShipment for order {draft.OrderNumber} without a shipment.");
        var shipment = Shipment(payload.GetProperty("shipment"));
        logger.LogInformation("Created Centra shipment {Shipment} ({Number}) for order {OrderNumber} of integration {IntegrationId}",
            shipment.Id, shipment.Number, draft.OrderNumber, integration.Id);
        return shipment;
    }

    public async Task CaptureShipmentAsync(Integration integration, string orderNumber, string shipmentId, CancellationToken cancellationToken)
    {
        var data = await SendAsync(integration, CaptureShipmentOperation, CaptureShipmentMutation,
            new Dictionary<string, object> { ["id"] = int.Parse(shipmentId, NumberStyles.Integer, CultureInfo.InvariantCulture) }, cancellationToken);
        var payload = data.GetProperty("captureShipment");
        if (UserErrors(payload) is { } errors)
            throw new JunipeerException(ErrorCodes.ShopCaptureFailed, $"Centra could not capture shipment {shipmentId} of order {orderNumber}: {errors}");
    }

    private static string? UserErrors(JsonElement payload) =>
        payload.TryGetProperty("userErrors", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0
            ? string.Join("; ", e.EnumerateArray().Select(x => x.TryGetProperty("message", out var m) ? m.GetString() : null).Where(m => m is not null))
            : null;

    private static ShopShipment Shipment(JsonElement s) => new(
        s.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture),
        s.GetProperty("number").GetString() ?? "",
        s.TryGetProperty("trackingNumber", out var t) ? t.GetString() : null,
        s.TryGetProperty("additionalMessage", out var a) ? a.GetString() : null,
        s.TryGetProperty("isCaptured", out var c) && c.ValueKind == JsonValueKind.True,
        s.TryGetProperty("isShipped", out var sh) && sh.ValueKind == JsonValueKind.True);

    /// <summary>One POST, sent once. Transport failures and statuses map to the shop codes; GraphQL errors fail the call.</summary>
    private async Task<JsonElement> SendAsync(Integration integration, string operation, string query, Dictionary<string, object> variables, CancellationToken ct)
    {
        var settings = integration.Shop.Centra
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Integration '{integration.Id}' has no Shop.Centra settings.");
        var token = secrets.Resolve(settings.TokenSecretName);
        var timeout = TimeSpan.FromSeconds(options.Value.Centra.TimeoutSeconds);
        var client = clients.GetOrAdd("centra " + settings.GraphQlUrl, settings.GraphQlUrl, b => b
            .WithTimeout(timeout).WithHeader("Accept", "application/json").WithHeader("User-Agent", CentraOrderSource.UserAgent));
        var body = JsonSerializer.Serialize(new GraphQlRequest(query, variables, operation), Json);
        IFlurlResponse response;
        try
        {
            response = await client.Request().WithOAuthBearerToken(token).AllowAnyHttpStatus()
                .SendAsync(HttpMethod.Post, new CapturedJsonContent(body), HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception ex) when (ex is FlurlHttpException or HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new JunipeerException(ErrorCodes.ShopUnavailable, $"Centra did not answer {operation}: {ex.Message}", ex);
        }

        using (response)
        {
            var status = response.StatusCode;
            var text = await response.GetStringAsync() ?? "";
            if (status == 401)
                throw new JunipeerException(ErrorCodes.ShopAuthFailed, $"Centra refused the API token for {operation} (HTTP 401).");
            if (status == 429)
            {
                var after = RetryAfter.Parse(response.Headers.TryGetFirst("Retry-After", out var raw) ? raw : null, time.GetUtcNow(), MaxReportedRetryAfter) ?? TimeSpan.FromSeconds(2);
                throw new JunipeerException(ErrorCodes.ShopRateLimited, $"Centra rate limit reached during {operation}.") { RetryAfter = after, RequestNotSent = true };
            }

            if (status >= 500)
                throw new JunipeerException(ErrorCodes.ShopUnavailable, $"Centra answered HTTP {status} to {operation}.");
            GraphQlResponse<JsonElement>? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<GraphQlResponse<JsonElement>>(text, Json);
            }
            catch (JsonException ex)
            {
                throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra answered {operation} with a body that is not GraphQL JSON (HTTP {status}).", ex);
            }

            if (parsed?.Errors is { Count: > 0 } errors)
            {
                var messages = string.Join("; ", errors.Select(e => e.Message));
                var code = errors.Any(e => e.Extensions?.Category == "authorization") ? ErrorCodes.ShopPermissionMissing : ErrorCodes.ShopQueryFailed;
                throw new JunipeerException(code, $"Centra answered {operation} with errors (HTTP {status}): {messages}");
            }

            if (status is < 200 or >= 300 || parsed is null || parsed.Data.ValueKind != JsonValueKind.Object)
                throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra answered {operation} with HTTP {status} and no data.");
            return parsed.Data.Clone();
        }
    }
}
