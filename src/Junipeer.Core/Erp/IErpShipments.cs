using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;

namespace Junipeer.Core.Erp;

/// <summary>Port: shipments in the ERP (read, plus the tracking number written back).</summary>
public interface IErpShipments
{
    /// <summary>Which <see cref="ErpSettings.Kind"/> this implementation serves.</summary>
    string Kind { get; }

    /// <summary>Shipments in <paramref name="status"/> last modified at or after <paramref name="since"/>, every page.</summary>
    Task<IReadOnlyList<ErpShipment>> ListShipmentsChangedSinceAsync(Integration integration, string status, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The shipment, or null when the ERP does not know the number.</summary>
    Task<ErpShipment?> GetShipmentAsync(Integration integration, string shipmentNumber, CancellationToken cancellationToken);

    /// <summary>Sets the tracking number of one package line (idempotent: a PUT of the value).</summary>
    Task SetTrackingNumberAsync(Integration integration, string shipmentNumber, int packageLineNumber, string trackingNumber, CancellationToken cancellationToken);
}
