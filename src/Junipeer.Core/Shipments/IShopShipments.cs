using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shipments;

/// <summary>Port: shipments and captures in the shop (Centra first).</summary>
public interface IShopShipments
{
    /// <summary>The order's shipments, or null when the shop has no such order.</summary>
    Task<IReadOnlyList<ShopShipment>?> ListShipmentsAsync(Integration integration, string orderNumber, CancellationToken cancellationToken);

    Task<ShopShipment> CreateShipmentAsync(Integration integration, ShopShipmentDraft draft, CancellationToken cancellationToken);

    /// <summary>Captures the shipment's payment; throws a coded exception when the shop reports an error.</summary>
    Task CaptureShipmentAsync(Integration integration, string orderNumber, string shipmentId, CancellationToken cancellationToken);
}
