using System.Text.Json.Serialization;

namespace Junipeer.Connectors.VismaNet.Dtos;

/// <summary>Visma.net <c>ShipmentDto</c> (flat read; the fields the shipments flow uses).</summary>
public sealed record ShipmentDto
{
    [JsonPropertyName("shipmentNumber")] public string? ShipmentNumber { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("shipmentDate")] public string? ShipmentDate { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("shipVia")] public IdDescriptionDto? ShipVia { get; init; }
    [JsonPropertyName("deliveryAddress")] public ShipmentAddressDto? DeliveryAddress { get; init; }
    [JsonPropertyName("deliveryContact")] public ShipmentContactDto? DeliveryContact { get; init; }
    [JsonPropertyName("shipmentDetailLines")] public List<ShipmentDetailLineDto>? ShipmentDetailLines { get; init; }
    [JsonPropertyName("shipmentOrderLines")] public List<ShipmentOrderLineDto>? ShipmentOrderLines { get; init; }
    [JsonPropertyName("shipmentPackageLines")] public List<PackageDetailLineDto>? ShipmentPackageLines { get; init; }
    [JsonPropertyName("customStr1")] public string? CustomStr1 { get; init; }
    [JsonPropertyName("customStr2")] public string? CustomStr2 { get; init; }
    [JsonPropertyName("customStr3")] public string? CustomStr3 { get; init; }
    [JsonPropertyName("customStr4")] public string? CustomStr4 { get; init; }
    [JsonPropertyName("customStr5")] public string? CustomStr5 { get; init; }
    [JsonPropertyName("metadata")] public MetadataDto? Metadata { get; init; }
}


public sealed record ShipmentAddressDto
{
    [JsonPropertyName("addressLine1")] public string? AddressLine1 { get; init; }
    [JsonPropertyName("addressLine2")] public string? AddressLine2 { get; init; }
    [JsonPropertyName("postalCode")] public string? PostalCode { get; init; }
    [JsonPropertyName("city")] public string? City { get; init; }
    [JsonPropertyName("country")] public ShipmentCountryDto? Country { get; init; }
}

/// <summary><c>countryInShipmentAddressDto</c>: id (ISO alpha-2) and name.</summary>
public sealed record ShipmentCountryDto
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

public sealed record ShipmentContactDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("attention")] public string? Attention { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("phone1")] public string? Phone1 { get; init; }
}

public sealed record ShipmentDetailLineDto
{
    [JsonPropertyName("lineNumber")] public int? LineNumber { get; init; }
    [JsonPropertyName("orderNbr")] public string? OrderNbr { get; init; }
    [JsonPropertyName("inventoryNumber")] public string? InventoryNumber { get; init; }
    [JsonPropertyName("shippedQty")] public decimal? ShippedQty { get; init; }
    [JsonPropertyName("orderedQty")] public decimal? OrderedQty { get; init; }
}

public sealed record ShipmentOrderLineDto
{
    [JsonPropertyName("orderNbr")] public string? OrderNbr { get; init; }
}

public sealed record PackageDetailLineDto
{
    [JsonPropertyName("lineNumber")] public int? LineNumber { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("weight")] public decimal? Weight { get; init; }
    [JsonPropertyName("trackingNumber")] public string? TrackingNumber { get; init; }
}

/// <summary>Visma.net <c>ShipmentUpdateDto</c> (value-wrapped write; only the package lines are sent).</summary>
public sealed record ShipmentUpdateDto
{
    [JsonPropertyName("shipmentPackageLines")] public List<ShipmentPackageLineUpdateDto>? ShipmentPackageLines { get; init; }
}

public sealed record ShipmentPackageLineUpdateDto
{
    [JsonPropertyName("operation")] public string? Operation { get; init; }
    [JsonPropertyName("lineNumber")] public VismaValue<int>? LineNumber { get; init; }
    [JsonPropertyName("trackingNumber")] public VismaValue<string>? TrackingNumber { get; init; }
}
