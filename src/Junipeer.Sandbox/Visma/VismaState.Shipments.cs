using System.Globalization;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>A shipment to seed (control plane, tests, demo). Status starts as <c>Open</c> unless given.</summary>
public sealed record VismaShipmentSpec
{
    /// <summary>Shipment number; null: the next of the tenant's series (000001, …).</summary>
    public string? Number { get; init; }

    public string CustomerNumber { get; init; } = "10001";
    public string CustomerName { get; init; } = "Web customer";

    /// <summary>The sales order number (<c>shipmentOrderLines[].orderNbr</c> and detail lines' <c>orderNbr</c>).</summary>
    public string? SalesOrderNumber { get; init; }

    /// <summary>Free fields <c>customStr1</c> … <c>customStr5</c> (e.g. the Centra order number in customStr1).</summary>
    public Dictionary<string, string> CustomFields { get; init; } = [];

    public string? ShipVia { get; init; }
    public string Status { get; init; } = "Open";
    public string? DeliveryName { get; init; }
    public string? AddressLine1 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public string? CountryId { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public List<VismaShipmentLineSpec> Lines { get; init; } = [];
    public List<VismaPackageSpec> Packages { get; init; } = [];
}

public sealed record VismaShipmentLineSpec(string InventoryNumber, decimal ShippedQty, decimal OrderedQty);

public sealed record VismaPackageSpec(decimal Weight, string? TrackingNumber = null, string BoxId = "BOX");

public sealed record VismaShipmentSnapshot(string Number, string Status, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> CustomFields,
    IReadOnlyList<string?> TrackingNumbers, int TrackingWrites);

/// <summary>Shipments per tenant: statuses, lines, packages, the lastModifiedDateTime delta filter, the tracking write-back.</summary>
public sealed partial class VismaState
{
    private readonly Dictionary<string, SortedDictionary<string, Shipment>> _shipments = new(StringComparer.OrdinalIgnoreCase);
    private long _shipmentVersion;

    /// <summary>Every status transition to <c>Confirmed</c> the emulator made (ground truth for the demo).</summary>
    public int ShipmentsConfirmed { get; private set; }

    /// <summary>Shipment signals (webhook notifications) the sender dropped, sent, and sent twice.</summary>
    public (int Sent, int Dropped, int Duplicated) ShipmentSignals
    {
        get { lock (_gate) { return (_signalsSent, _signalsDropped, _signalsDuplicated); } }
    }

    private int _signalsSent;
    private int _signalsDropped;
    private int _signalsDuplicated;

    internal void CountSignal(bool dropped, bool duplicated)
    {
        lock (_gate)
        {
            if (dropped)
            {
                _signalsDropped++;
                return;
            }

            _signalsSent++;
            if (duplicated)
                _signalsDuplicated++;
        }
    }

    public VismaShipmentSnapshot AddShipment(string tenantId, VismaShipmentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_gate)
        {
            if (!_companies.ContainsKey(tenantId))
                throw new ArgumentException($"Unknown tenant {tenantId}.", nameof(tenantId));
            var all = ShipmentsOf(tenantId);
            var number = spec.Number ?? (all.Count + 1).ToString("000000", CultureInfo.InvariantCulture);
            if (all.ContainsKey(number))
                throw new ArgumentException($"Shipment {number} exists.", nameof(spec));
            if (spec.Lines.Count == 0)
                throw new ArgumentException("A shipment needs at least one line.", nameof(spec));
            var s = new Shipment(number, spec) { Status = spec.Status, Created = Now, LastModified = Now, Version = ++_shipmentVersion };
            for (var i = 0; i < spec.Packages.Count; i++)
                s.Tracking.Add(spec.Packages[i].TrackingNumber);
            all[number] = s;
            if (s.Status == "Confirmed")
                ShipmentsConfirmed++;
            return Snap(s);
        }
    }

    /// <summary>Open → Confirmed (the warehouse confirms); bumps lastModifiedDateTime. Null when unknown.</summary>
    public VismaShipmentSnapshot? ConfirmShipment(string tenantId, string number)
    {
        lock (_gate)
        {
            if (!ShipmentsOf(tenantId).TryGetValue(number, out var s))
                return null;
            if (s.Status is "Open" or "Hold")
            {
                s.Status = "Confirmed";
                ShipmentsConfirmed++;
            }

            s.LastModified = Now;
            s.Version = ++_shipmentVersion;
            return Snap(s);
        }
    }

    public IReadOnlyList<VismaShipmentSnapshot> Shipments(string tenantId)
    {
        lock (_gate)
        {
            return [.. ShipmentsOf(tenantId).Values.Select(Snap)];
        }
    }

    internal ApiResult ListShipments(string tenantId, IQueryCollection query) => WithCompany(tenantId, _ =>
    {
        IEnumerable<Shipment> items = ShipmentsOf(tenantId).Values;
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "customerNumber", x => x.Spec.CustomerNumber, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "shipmentType", _ => "Issue", StringComparison.OrdinalIgnoreCase);
        if (FilterModified(query, ref items, x => x.LastModified) is { } error)
            return Bad(error);
        return Page(items.Select(ShipmentJson), query);
    });

    internal ApiResult GetShipment(string tenantId, string number) => WithCompany(tenantId, _ =>
        ShipmentsOf(tenantId).TryGetValue(number, out var s)
            ? new ApiResult(200, ShipmentJson(s), ETag: ETagOf(s.Version))
            : NotFound($"Shipment '{number}' was not found."));

    /// <summary>PUT: the emulator applies <c>shipmentPackageLines</c> (Update by lineNumber: trackingNumber, weight) and the free fields.</summary>
    internal ApiResult UpdateShipment(string tenantId, string number, JsonObject? body, string? ifMatch) => WithCompany(tenantId, _ =>
    {
        if (!ShipmentsOf(tenantId).TryGetValue(number, out var s))
            return NotFound($"Shipment '{number}' was not found.");
        if (!string.IsNullOrWhiteSpace(ifMatch) && !string.Equals(ifMatch.Trim(), ETagOf(s.Version), StringComparison.Ordinal))
            return new ApiResult(412, Message("Shipment version does not match with If-Match header."));
        if (body?["shipmentPackageLines"] is JsonArray lines)
        {
            foreach (var line in lines.OfType<JsonObject>())
            {
                var op = Wire.Str(line, "operation") ?? "Update";
                var n = Wire.Long(line, "lineNumber");
                if (!string.Equals(op, "Update", StringComparison.OrdinalIgnoreCase) || n is null || n < 1 || n > s.Tracking.Count)
                    return Bad($"Package line {n?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} of shipment {number} cannot be updated (operation {op}).");
                if (line["trackingNumber"] is JsonObject t)
                {
                    s.Tracking[(int)n.Value - 1] = (string?)t["value"];
                    s.TrackingWrites++;
                }
            }
        }

        for (var i = 1; i <= 5; i++)
        {
            if (body?["customStr" + i] is JsonObject v)
                s.Custom["customStr" + i] = (string?)v["value"] ?? "";
        }

        s.LastModified = Now;
        s.Version = ++_shipmentVersion;
        return new ApiResult(204, null, ETag: ETagOf(s.Version));
    });

    private SortedDictionary<string, Shipment> ShipmentsOf(string tenantId)
    {
        if (!_shipments.TryGetValue(tenantId, out var all))
            _shipments[tenantId] = all = new SortedDictionary<string, Shipment>(StringComparer.Ordinal);
        return all;
    }

    private void ResetShipments()
    {
        _shipments.Clear();
        ShipmentsConfirmed = 0;
        _signalsSent = _signalsDropped = _signalsDuplicated = 0;
    }

    private static VismaShipmentSnapshot Snap(Shipment s) =>
        new(s.Number, s.Status, s.LastModified, new Dictionary<string, string>(s.Custom, StringComparer.Ordinal), [.. s.Tracking], s.TrackingWrites);

    private static JsonObject ShipmentJson(Shipment s)
    {
        var spec = s.Spec;
        var details = new JsonArray();
        var lineNumber = 0;
        foreach (var l in spec.Lines)
        {
            details.Add(new JsonObject
            {
                ["lineNumber"] = ++lineNumber,
                ["orderType"] = "SO",
                ["orderNbr"] = spec.SalesOrderNumber,
                ["inventoryNumber"] = l.InventoryNumber,
                ["uom"] = "PCS",
                ["shippedQty"] = l.ShippedQty,
                ["orderedQty"] = l.OrderedQty,
                ["openQty"] = l.OrderedQty - l.ShippedQty,
                ["orderLineNbr"] = lineNumber,
            });
        }

        var packages = new JsonArray();
        for (var i = 0; i < spec.Packages.Count; i++)
        {
            packages.Add(new JsonObject
            {
                ["lineNumber"] = i + 1,
                ["confirmed"] = s.Status != "Open",
                ["boxId"] = spec.Packages[i].BoxId,
                ["type"] = "Manual",
                ["weight"] = spec.Packages[i].Weight,
                ["uom"] = "KG",
                ["trackingNumber"] = s.Tracking[i],
            });
        }

        var json = new JsonObject
        {
            ["timeStamp"] = TimeStampOf(s.Version),
            ["shipmentNumber"] = s.Number,
            ["shipmentType"] = "Issue",
            ["status"] = s.Status,
            ["hold"] = s.Status == "Hold",
            ["operation"] = "Issue",
            ["shipmentDate"] = s.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["customer"] = new JsonObject { ["number"] = spec.CustomerNumber, ["name"] = spec.CustomerName },
            ["packages"] = spec.Packages.Count,
            ["packagesWeight"] = spec.Packages.Sum(p => p.Weight),
            ["shippedQuantity"] = spec.Lines.Sum(l => l.ShippedQty),
            ["deliveryAddress"] = new JsonObject
            {
                ["addressLine1"] = spec.AddressLine1,
                ["postalCode"] = spec.PostalCode,
                ["city"] = spec.City,
                ["country"] = spec.CountryId is null ? null : new JsonObject { ["id"] = spec.CountryId },
            },
            ["deliveryContact"] = new JsonObject { ["name"] = spec.DeliveryName, ["email"] = spec.Email, ["phone1"] = spec.Phone },
            ["shipVia"] = spec.ShipVia is null ? null : new JsonObject { ["id"] = spec.ShipVia, ["description"] = spec.ShipVia },
            ["shipmentDetailLines"] = details,
            ["shipmentOrderLines"] = spec.SalesOrderNumber is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["orderType"] = "SO",
                ["orderNbr"] = spec.SalesOrderNumber,
                ["shippedQty"] = spec.Lines.Sum(l => l.ShippedQty),
            }),
            ["shipmentPackageLines"] = packages,
            // Visma answers without an offset; the time zone is undocumented (the emulator uses UTC).
            ["lastModifiedDateTime"] = s.LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in s.Custom)
            json[k] = v;
        return json;
    }

    private sealed class Shipment(string number, VismaShipmentSpec spec)
    {
        public string Number { get; } = number;
        public VismaShipmentSpec Spec { get; } = spec;
        public Dictionary<string, string> Custom { get; } = new(spec.CustomFields, StringComparer.Ordinal);
        public List<string?> Tracking { get; } = [];
        public required DateTimeOffset Created { get; init; }
        public required string Status { get; set; }
        public DateTimeOffset LastModified { get; set; }
        public long Version { get; set; }
        public int TrackingWrites { get; set; }
    }
}
