using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Microsoft.Extensions.Logging;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Shipments in Centra (the shipments flow's shop port): ListShipments → OrderShipments query
/// (Order.shipments); CreateShipment → createShipment mutation (lines, shippedAt, shipmentInfo with the
/// tracking number, additionalMessage = our reference); CaptureShipment → captureShipment mutation.
/// Mutations answer HTTP 200 with userErrors on failure: those become coded failures carrying
/// Centra's text. Sent through <see cref="CentraGraphQlClient"/> (shared plumbing): a mutation is retried
/// only when it provably did not take effect; the handler resolves an uncertain create by the order's
/// shipments (tracking number or our reference) and a capture by isCaptured.
/// </summary>
public sealed class CentraShipments(CentraGraphQlClient graphQl, ILogger<CentraShipments> logger) : IShopShipments
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

    public async Task<IReadOnlyList<ShopShipment>?> ListShipmentsAsync(Integration integration, string orderNumber, CancellationToken cancellationToken)
    {
        if (!int.TryParse(orderNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        var data = await graphQl.QueryAsync<OrdersData>(integration, OrderShipmentsOperation, OrderShipmentsQuery, new Dictionary<string, object> { ["number"] = number }, cancellationToken);
        var order = data.Orders?.FirstOrDefault(o => o.Number == number);
        return order is null ? null : (order.Shipments ?? []).Select(Shipment).ToList();
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
        var data = await graphQl.MutateAsync<CreateData>(integration, CreateShipmentOperation, CreateShipmentMutation, new Dictionary<string, object> { ["input"] = input }, cancellationToken);
        var payload = data.CreateShipment;
        if (UserErrors(payload) is { } errors)
            throw new CentraApiException(ErrorCodes.ShopMutationRejected, $"Centra refused createShipment for order {draft.OrderNumber}: {errors}", FailureKind.Rejected);
        if (payload.GetProperty("shipment").ValueKind != JsonValueKind.Object)
            throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra answered createShipment for order {draft.OrderNumber} without a shipment.", FailureKind.Malformed);
        var shipment = Shipment(payload.GetProperty("shipment"));
        logger.LogInformation("Created Centra shipment {Shipment} ({Number}) for order {OrderNumber} of integration {IntegrationId}",
            shipment.Id, shipment.Number, draft.OrderNumber, integration.Id);
        return shipment;
    }

    public async Task CaptureShipmentAsync(Integration integration, string orderNumber, string shipmentId, CancellationToken cancellationToken)
    {
        var data = await graphQl.MutateAsync<CaptureData>(integration, CaptureShipmentOperation, CaptureShipmentMutation,
            new Dictionary<string, object> { ["id"] = int.Parse(shipmentId, NumberStyles.Integer, CultureInfo.InvariantCulture) }, cancellationToken);
        var payload = data.CaptureShipment;
        if (UserErrors(payload) is { } errors)
            throw new CentraApiException(ErrorCodes.ShopCaptureFailed, $"Centra could not capture shipment {shipmentId} of order {orderNumber}: {errors}", FailureKind.Rejected);
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

    private sealed record OrdersData([property: JsonPropertyName("orders")] List<OrderShipments>? Orders);

    private sealed record OrderShipments([property: JsonPropertyName("number")] int Number, [property: JsonPropertyName("shipments")] List<JsonElement>? Shipments);

    private sealed record CreateData([property: JsonPropertyName("createShipment")] JsonElement CreateShipment);

    private sealed record CaptureData([property: JsonPropertyName("captureShipment")] JsonElement CaptureShipment);
}
