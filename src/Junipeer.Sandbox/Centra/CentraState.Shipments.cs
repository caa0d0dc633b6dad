using System.Globalization;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;

namespace Junipeer.Sandbox.Centra;

/// <summary>A Centra shipment as the emulator keeps it (ground truth for tests and the demo).</summary>
public sealed record CentraShipmentSnapshot(int Id, string Number, int OrderNumber, string? TrackingNumber, string? AdditionalMessage,
    bool IsCaptured, IReadOnlyList<(int LineId, int Quantity)> Lines);

/// <summary>Shipments of orders: createShipment (quantities checked against what is left to ship), captureShipment, Order.shipments.</summary>
public sealed partial class CentraState
{
    private readonly Dictionary<int, List<StoredShipment>> _shipments = [];
    private int _nextShipmentId = 1900;

    /// <summary>Next captureShipment calls answered with a userError (the PSP refused).</summary>
    public int CaptureFailures { get; set; }

    public IReadOnlyList<CentraShipmentSnapshot> Shipments()
    {
        lock (_gate)
        {
            return [.. _shipments.Values.SelectMany(l => l).OrderBy(s => s.Id).Select(s =>
                new CentraShipmentSnapshot(s.Id, s.Number, s.OrderNumber, s.TrackingNumber, s.AdditionalMessage, s.IsCaptured, [.. s.Lines]))];
        }
    }

    private void ResetShipments()
    {
        lock (_gate)
        {
            _shipments.Clear();
            CaptureFailures = 0;
        }
    }

    private JsonObject WithShipments(JsonObject order, int number)
    {
        order["shipments"] = new JsonArray([.. (_shipments.TryGetValue(number, out var list) ? list : []).Select(s => (JsonNode)ShipmentJson(s))]);
        return order;
    }

    /// <summary>createShipment: the payload as JSON (userErrors when the order or a line is unknown, or a quantity exceeds what is left).</summary>
    internal JsonObject CreateShipment(JsonObject? input)
    {
        lock (_gate)
        {
            var orderInput = input?["order"] as JsonObject;
            var number = Wire.AsLong(orderInput?["number"]);
            var id = (string?)orderInput?["id"];
            if ((number is null) == (id is null))
                return Payload(null, "Exactly one of order.id and order.number must be given.", "order");
            var order = number is { } n ? (_orders.TryGetValue((int)n, out var o) ? o : null) : _orders.Values.FirstOrDefault(x => x.Id == id);
            if (order is null)
                return Payload(null, "Order not found.", "order");

            var json = JsonNode.Parse(OrderJson(order).ToJsonString())!.AsObject();
            var orderLines = (json["lines"] as JsonArray ?? []).OfType<JsonObject>()
                .ToDictionary(l => (int)Wire.AsLong(l["id"])!.Value, l => (int)Wire.AsLong(l["quantity"])!.Value);
            var shipped = (_shipments.TryGetValue(order.Number, out var existing) ? existing : []).SelectMany(s => s.Lines)
                .GroupBy(l => l.LineId).ToDictionary(g => g.Key, g => g.Sum(x => x.Quantity));
            var lines = new List<(int, int)>();
            foreach (var line in (input?["lines"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var lineId = (int?)Wire.AsLong(line["orderLine"]?["id"]);
                var qty = (int?)Wire.AsLong(line["quantity"]) ?? 0;
                if (lineId is null || !orderLines.TryGetValue(lineId.Value, out var ordered))
                    return Payload(null, $"Order line {lineId} does not belong to order {order.Number}.", "lines");
                if (qty < 1 || qty > ordered - shipped.GetValueOrDefault(lineId.Value))
                    return Payload(null, $"Quantity {qty} of order line {lineId} exceeds what is left to ship ({ordered - shipped.GetValueOrDefault(lineId.Value)}).", "lines");
                lines.Add((lineId.Value, qty));
            }

            if (lines.Count == 0)
                return Payload(null, "A shipment needs at least one line.", "lines");

            var info = input?["shipmentInfo"] as JsonObject;
            var list = existing ?? (_shipments[order.Number] = []);
            var shippedAt = (string?)input?["shippedAt"];
            var shipment = new StoredShipment
            {
                Id = ++_nextShipmentId,
                Number = $"{order.Number}-{list.Count + 1}",
                OrderNumber = order.Number,
                Lines = lines,
                TrackingNumber = (string?)info?["trackingNumber"],
                Packages = (int?)Wire.AsLong(info?["packagesNumber"]) ?? 1,
                AdditionalMessage = (string?)input?["additionalMessage"],
                IsGoodToGo = (bool?)input?["isGoodToGo"] ?? true,
                ShippedAt = shippedAt is null ? null : DateTimeOffset.Parse(shippedAt, CultureInfo.InvariantCulture),
                CreatedAt = Now,
                IsPaid = (bool?)input?["isPaid"] ?? false,
            };
            list.Add(shipment);
            return Payload(ShipmentJson(shipment), null, null);
        }
    }

    /// <summary>captureShipment: marks the shipment captured and paid (the PSP's answer is immediate here; with Adyen/Klarna it can be asynchronous).</summary>
    internal JsonObject CaptureShipment(int id)
    {
        lock (_gate)
        {
            var shipment = _shipments.Values.SelectMany(l => l).FirstOrDefault(s => s.Id == id);
            if (shipment is null)
                return Payload(null, $"Shipment {id} not found.", "id");
            if (CaptureFailures > 0)
            {
                CaptureFailures--;
                return Payload(ShipmentJson(shipment), "Capture failed: the payment provider refused the capture (sandbox fault injection).", "id");
            }

            shipment.IsCaptured = true;
            shipment.IsPaid = true;
            return Payload(ShipmentJson(shipment), null, null);
        }
    }

    private static JsonObject Payload(JsonObject? shipment, string? error, string? path) => new()
    {
        ["shipment"] = shipment,
        ["userErrors"] = error is null ? new JsonArray() : new JsonArray(new JsonObject { ["message"] = error, ["path"] = new JsonArray(path) }),
        ["userWarnings"] = new JsonArray(),
    };

    private static JsonObject ShipmentJson(StoredShipment s) => new()
    {
        ["__typename"] = "DirectToConsumerShipment",
        ["id"] = s.Id,
        ["number"] = s.Number,
        ["createdAt"] = DateTimeTz(s.CreatedAt),
        ["isGoodToGo"] = s.IsGoodToGo,
        ["isShipped"] = s.ShippedAt is not null,
        ["trackingNumber"] = s.TrackingNumber,
        ["numberOfPackages"] = s.Packages,
        ["additionalMessage"] = s.AdditionalMessage,
        ["shippedAt"] = s.ShippedAt is { } t ? DateTimeTz(t) : null,
        ["isPaid"] = s.IsPaid,
        ["isCaptured"] = s.IsCaptured,
    };

    private sealed class StoredShipment
    {
        public required int Id { get; init; }
        public required string Number { get; init; }
        public required int OrderNumber { get; init; }
        public required List<(int LineId, int Quantity)> Lines { get; init; }
        public string? TrackingNumber { get; init; }
        public int Packages { get; init; }
        public string? AdditionalMessage { get; init; }
        public bool IsGoodToGo { get; init; }
        public DateTimeOffset? ShippedAt { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public bool IsPaid { get; set; }
        public bool IsCaptured { get; set; }
    }
}
