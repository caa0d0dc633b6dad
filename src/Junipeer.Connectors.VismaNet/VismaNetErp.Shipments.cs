using System.Globalization;
using System.Text.Json.Serialization;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Microsoft.Extensions.Logging;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Shipments (the shipments flow's ERP port): ListShipmentsChangedSince → GET
/// /v1/shipment?status&amp;lastModifiedDateTime&amp;lastModifiedDateTimeCondition=&gt;= (paged);
/// GetShipment → GET /v1/shipment/{n}; SetTrackingNumber → PUT /v1/shipment/{n} with
/// shipmentPackageLines [{operation: Update, lineNumber, trackingNumber}]. Checked against
/// contracts/visma/visma-shipment-api-openapi.yml.
/// </summary>
public sealed partial class VismaNetErp : IErpShipments
{
    public async Task<IReadOnlyList<ErpShipment>> ListShipmentsChangedSinceAsync(Integration integration, string status, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Same time-zone caveat as the invoice delta read: UTC is sent; the sweep's overlap absorbs skew.
        var value = since.UtcDateTime.ToString(LastModifiedFilterFormat, CultureInfo.InvariantCulture);
        var shipments = await GetAllPagesAsync<ShipmentDto>(integration, VismaOperation.ListShipments, ["v1", "shipment"],
            [("status", status), ("lastModifiedDateTime", value), ("lastModifiedDateTimeCondition", ">=")], LookupPageSize, s => s.Metadata, cancellationToken);
        return shipments.Where(s => s.ShipmentNumber is not null).Select(ToShipment).ToList();
    }

    public async Task<ErpShipment?> GetShipmentAsync(Integration integration, string shipmentNumber, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendAsync(integration, VismaOperation.GetShipment, HttpMethod.Get, ["v1", "shipment", shipmentNumber], [], null, cancellationToken);
            var dto = VismaJson.Deserialize<ShipmentDto>(response.Body);
            return dto is null ? null : ToShipment(dto with { ShipmentNumber = dto.ShipmentNumber ?? shipmentNumber });
        }
        catch (VismaNetApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    public async Task SetTrackingNumberAsync(Integration integration, string shipmentNumber, int packageLineNumber, string trackingNumber, CancellationToken cancellationToken)
    {
        var body = new ShipmentUpdateDto
        {
            ShipmentPackageLines =
            [
                new ShipmentPackageLineUpdateDto
                {
                    Operation = "Update",
                    LineNumber = new VismaValue<int>(packageLineNumber),
                    TrackingNumber = VismaValue.Of(trackingNumber),
                },
            ],
        };

        // A PUT sets the value: repeating it is harmless, so no If-Match (a concurrent edit of another field must not fail it).
        await SendAsync(integration, VismaOperation.UpdateShipment, HttpMethod.Put, ["v1", "shipment", shipmentNumber], [], VismaJson.Serialize(body), cancellationToken);
        _logger.LogInformation("Wrote tracking number to Visma.net shipment {Number} package line {Line} for integration {IntegrationId}", shipmentNumber, packageLineNumber, integration.Id);
    }

    internal static ErpShipment ToShipment(ShipmentDto s)
    {
        var custom = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
                custom[name] = value;
        }

        Add("customStr1", s.CustomStr1);
        Add("customStr2", s.CustomStr2);
        Add("customStr3", s.CustomStr3);
        Add("customStr4", s.CustomStr4);
        Add("customStr5", s.CustomStr5);
        return new ErpShipment
        {
            Number = s.ShipmentNumber!,
            Status = s.Status ?? "",
            LastModified = ParseTimestamp(s.LastModifiedDateTime),
            ShipmentDate = ParseTimestamp(s.ShipmentDate),
            ShipVia = s.ShipVia?.Id,
            Delivery = new ShipmentAddress
            {
                Name = s.DeliveryContact?.Name,
                Attention = s.DeliveryContact?.Attention,
                Address1 = s.DeliveryAddress?.AddressLine1,
                Address2 = s.DeliveryAddress?.AddressLine2,
                PostalCode = s.DeliveryAddress?.PostalCode,
                City = s.DeliveryAddress?.City,
                CountryCode = s.DeliveryAddress?.Country?.Id?.ToUpperInvariant(),
                Email = s.DeliveryContact?.Email,
                Phone = s.DeliveryContact?.Phone1,
            },
            Lines = [.. (s.ShipmentDetailLines ?? []).Where(l => l.InventoryNumber is not null)
                .Select(l => new ErpShipmentLine(l.LineNumber ?? 0, l.InventoryNumber!, l.ShippedQty ?? 0, l.OrderedQty ?? l.ShippedQty ?? 0, l.OrderNbr))],
            Packages = [.. (s.ShipmentPackageLines ?? []).Select(p => new ErpShipmentPackage(p.LineNumber ?? 0, p.Weight ?? 0, p.TrackingNumber, p.Description))],
            OrderNumbers = [.. (s.ShipmentOrderLines ?? []).Select(o => o.OrderNbr).Concat((s.ShipmentDetailLines ?? []).Select(l => l.OrderNbr))
                .Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).Distinct(StringComparer.Ordinal)],
            CustomFields = custom,
        };
    }

}
