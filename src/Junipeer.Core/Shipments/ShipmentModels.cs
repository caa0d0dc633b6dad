namespace Junipeer.Core.Shipments;

/// <summary>A shipment as the ERP reports it (Visma.net <c>ShipmentDto</c>, the parts the flow uses).</summary>
public sealed record ErpShipment
{
    public required string Number { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    public DateTimeOffset? ShipmentDate { get; init; }

    /// <summary>The ERP's shipping method (Visma <c>shipVia.id</c>).</summary>
    public string? ShipVia { get; init; }

    public required ShipmentAddress Delivery { get; init; }
    public IReadOnlyList<ErpShipmentLine> Lines { get; init; } = [];
    public IReadOnlyList<ErpShipmentPackage> Packages { get; init; } = [];

    /// <summary>Sales order numbers on the shipment (<c>shipmentOrderLines[].orderNbr</c>).</summary>
    public IReadOnlyList<string> OrderNumbers { get; init; } = [];

    /// <summary>Free fields (<c>customStr1</c> … <c>customStr5</c>) that have a value.</summary>
    public IReadOnlyDictionary<string, string> CustomFields { get; init; } = new Dictionary<string, string>();
}

public sealed record ShipmentAddress
{
    public string? Name { get; init; }
    public string? Attention { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }

    /// <summary>ISO alpha-2.</summary>
    public string? CountryCode { get; init; }

    public string? Email { get; init; }
    public string? Phone { get; init; }
}

public sealed record ErpShipmentLine(int LineNumber, string InventoryNumber, decimal ShippedQty, decimal OrderedQty, string? OrderNumber);

public sealed record ErpShipmentPackage(int LineNumber, decimal Weight, string? TrackingNumber, string? Description);

/// <summary>What to book with the carrier.</summary>
public sealed record CarrierBookingRequest
{
    /// <summary>Our deterministic reference (nShift <c>senderReference</c>): the lookup key after an uncertain attempt.</summary>
    public required string Reference { get; init; }

    public required string OrderNumber { get; init; }
    public required string ServiceId { get; init; }
    public required ShipmentAddress Receiver { get; init; }
    public required IReadOnlyList<CarrierParcel> Parcels { get; init; }
    public DateTimeOffset? ShipDate { get; init; }
}

public sealed record CarrierParcel(decimal WeightKg, string? Contents);

/// <summary>A booked carrier shipment: its id and the parcel (tracking) numbers.</summary>
public sealed record CarrierBooking(string Id, string? ShipmentNumber, string? Reference, IReadOnlyList<string> ParcelNumbers)
{
    /// <summary>The tracking number shown to the customer: the shipment number, else the first parcel number.</summary>
    public string? TrackingNumber => !string.IsNullOrEmpty(ShipmentNumber) ? ShipmentNumber : (ParcelNumbers.Count > 0 ? ParcelNumbers[0] : null);
}

/// <summary>A shipment of a shop order (Centra <c>Shipment</c>).</summary>
public sealed record ShopShipment(string Id, string Number, string? TrackingNumber, string? AdditionalMessage, bool IsCaptured, bool IsShipped);

/// <summary>What to create in the shop.</summary>
public sealed record ShopShipmentDraft
{
    public required string OrderNumber { get; init; }

    /// <summary>Shop order line id → quantity.</summary>
    public required IReadOnlyList<(string LineId, int Quantity)> Lines { get; init; }

    public required DateTimeOffset ShippedAt { get; init; }
    public string? Carrier { get; init; }
    public string? Service { get; init; }
    public string? TrackingNumber { get; init; }
    public int PackagesNumber { get; init; }

    /// <summary>Our reference; also the lookup key when there is no tracking number.</summary>
    public required string Reference { get; init; }

    public bool SendEmail { get; init; }
}
