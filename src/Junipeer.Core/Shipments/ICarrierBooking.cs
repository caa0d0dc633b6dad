using Junipeer.Core.Integrations;

namespace Junipeer.Core.Shipments;

/// <summary>Port: books shipments with a carrier platform (nShift Delivery first).</summary>
public interface ICarrierBooking
{
    /// <summary>Books and prints one shipment; throws a coded exception with the carrier's message on validation errors.</summary>
    Task<CarrierBooking> BookAsync(Integration integration, CarrierBookingRequest request, CancellationToken cancellationToken);

    /// <summary>Bookings that carry <paramref name="reference"/> (exact match on our side).</summary>
    Task<IReadOnlyList<CarrierBooking>> FindByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken);
}
