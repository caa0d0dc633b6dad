using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The shipments flow in shadow mode: the same reads and decisions as <see cref="ShipmentSyncHandler"/> (the ERP
/// shipment and its trigger status, the shop order, the lines mapped by SKU, the partial rule, the carrier service
/// mapping, the receiver and parcels) ending in a <see cref="ShadowRecord"/> (flow <c>shipments</c>) instead of writes.
/// Reads only: the ERP shipment (GET), the shop order and its shipments (queries), the carrier's search by our
/// reference (GET). Never called: the carrier booking (nShift <c>POST /shipments</c>), the shop's createShipment and
/// captureShipment, the ERP's tracking write-back. nShift's published API has no validate-only call (its create
/// validates and books in one; stored shipments and the address check are creates too), so the booking request is
/// checked here with the published schema's required fields and the postal-code rule of its 422 example
/// (<see cref="CarrierRequestProblems"/>): a rule only the live account knows (services not granted to it) shows up
/// only when it books.
/// </summary>
public sealed class ShadowShipmentSync(
    IEnumerable<IErpShipments> erpShipments,
    IShopOrderSource shop,
    IShopShipments shopShipments,
    ICarrierBooking carrier,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowShipmentSync> logger)
{
    public const string ShipmentDocument = "shipment";

    public async Task<ShadowRecord> RunAsync(Integration integration, string shipmentNumber, CancellationToken ct)
    {
        var record = await DecideAsync(integration, shipmentNumber, ct);
        await log.SaveAsync(record, ct);
        logger.LogInformation("Shadow: shipment {ShipmentNumber} of {IntegrationId} {Outcome} {ErrorCode}", shipmentNumber, integration.Id, record.Outcome, record.ErrorCode);
        return record;
    }

    /// <summary>
    /// What nShift would refuse in the booking request, checked locally (no read-only validation endpoint is documented):
    /// the published schema's required fields (receiver name, city, country; service id; at least one parcel) and the
    /// receiver postal code its 422 example names ("Not valid postal code").
    /// </summary>
    public static IReadOnlyList<string> CarrierRequestProblems(CarrierBookingRequest request)
    {
        var problems = new List<string>();
        var r = request.Receiver;
        if (string.IsNullOrWhiteSpace(r.Name))
            problems.Add("receiver name is empty");
        if (string.IsNullOrWhiteSpace(r.City))
            problems.Add("receiver city is empty");
        if (string.IsNullOrWhiteSpace(r.CountryCode))
            problems.Add("receiver country is empty");
        if (string.IsNullOrWhiteSpace(r.PostalCode))
            problems.Add("receiver postal code is empty");
        if (string.IsNullOrWhiteSpace(request.ServiceId))
            problems.Add("no service id");
        if (request.Parcels.Count == 0)
            problems.Add("no parcel");
        return problems;
    }

    private IErpShipments ErpFor(Integration integration) =>
        erpShipments.FirstOrDefault(e => string.Equals(e.Kind, integration.Erp.Kind, StringComparison.OrdinalIgnoreCase))
        ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
            $"Integration '{integration.Id}' uses ERP kind '{integration.Erp.Kind}', which has no shipments connector in this deployment.");

    private async Task<ShadowRecord> DecideAsync(Integration integration, string shipmentNumber, CancellationToken ct)
    {
        var settings = integration.Shipments;
        var basis = new ShadowRecord
        {
            IntegrationId = integration.Id, Flow = Flows.Shipments, EntityKey = shipmentNumber, Outcome = ShadowOutcome.Failed,
            DocumentType = ShipmentDocument, RecordedAt = time.GetUtcNow(),
        };
        try
        {
            var shipment = await ErpFor(integration).GetShipmentAsync(integration, shipmentNumber, ct);
            if (shipment is null)
                return basis with { Outcome = ShadowOutcome.Skipped, SkipReason = "shipment not found in the ERP" };
            basis = basis with { EntityDate = shipment.LastModified ?? shipment.ShipmentDate, Reference = settings.ReferencePrefix + shipment.Number };
            if (!ShipmentSyncHandler.IsTriggered(settings, shipment.Status))
                return basis with { Outcome = ShadowOutcome.Skipped, SkipReason = $"status {shipment.Status} is not {settings.TriggerStatus}" };

            var orderNumber = ShipmentSyncHandler.OrderNumberOf(settings, shipment)
                              ?? throw new JunipeerException(ErrorCodes.ShipmentOrderNotFound, $"Shipment {shipment.Number} has no shop order number in {settings.OrderNumberField}.");
            var order = await shop.GetOrderAsync(integration, orderNumber, ct)
                        ?? throw new JunipeerException(ErrorCodes.ShipmentOrderNotFound, $"Centra has no order {orderNumber} (shipment {shipment.Number}, field {settings.OrderNumberField}).");
            var (lines, partial) = ShipmentSyncHandler.MapLines(shipment, order);
            if (partial && !settings.AllowPartialShipments)
            {
                throw new JunipeerException(ErrorCodes.ShipmentPartialNotAllowed,
                    $"Shipment {shipment.Number} does not ship all of order {orderNumber} and Shipments.AllowPartialShipments is false.");
            }

            var reference = basis.Reference!;
            var skuOf = order.Lines.ToDictionary(l => l.LineId, l => l.Sku, StringComparer.Ordinal);
            var planned = new ShadowShipment
            {
                OrderNumber = orderNumber,
                ShipVia = shipment.ShipVia,
                Lines = [.. lines.Select(l => new ShadowShipmentLine(l.LineId, skuOf.GetValueOrDefault(l.LineId) ?? "", l.Quantity))],
                Partial = partial,
                Capture = settings.CaptureInShop,
                SendEmail = settings.SendShopEmail,
            };
            var notes = new List<string>();
            string? tracking;
            if (settings.NShift is not null)
            {
                var serviceId = ShipmentSyncHandler.ServiceFor(settings, shipment);
                var request = new CarrierBookingRequest
                {
                    Reference = reference,
                    OrderNumber = orderNumber,
                    ServiceId = serviceId,
                    Receiver = ShipmentSyncHandler.Receiver(shipment, order),
                    Parcels = ShipmentSyncHandler.Parcels(shipment),
                    ShipDate = shipment.ShipmentDate,
                };
                var r = request.Receiver;
                planned = planned with
                {
                    CarrierServiceId = serviceId,
                    Parcels = [.. request.Parcels.Select(p => new ShadowParcel(p.WeightKg, p.Contents))],
                    Receiver = string.Join(", ", new[] { r.Name, r.PostalCode, r.City, r.CountryCode }.Where(x => !string.IsNullOrWhiteSpace(x))),
                    WriteTrackingBack = settings.WriteTrackingToErp,
                };
                basis = basis with { Shipment = planned };
                if (CarrierRequestProblems(request) is { Count: > 0 } problems)
                {
                    throw new JunipeerException(ErrorCodes.CarrierValidationFailed,
                        $"nShift would refuse the booking of shipment {shipment.Number}: {string.Join("; ", problems)} (checked locally: nShift documents no validate-only call).");
                }

                // Booked already under our reference (a live run, by hand): a live run adopts it instead of booking again.
                var found = (await carrier.FindByReferenceAsync(integration, reference, ct))
                    .Where(b => string.Equals(b.Reference, reference, StringComparison.Ordinal)).ToList();
                if (found.Count > 1)
                {
                    throw new JunipeerException(ErrorCodes.DuplicateCarrierBooking,
                        $"{found.Count} nShift shipments carry reference {reference}: {string.Join(", ", found.Select(b => b.Id))}.");
                }

                tracking = found.Count == 1 ? found[0].TrackingNumber : null;
                if (found.Count == 1)
                {
                    planned = planned with { ExistingBooking = found[0].Id, TrackingNumber = tracking };
                    notes.Add($"nShift already holds booking {found[0].Id} under {reference}: a live run adopts it and books nothing.");
                }
            }
            else
            {
                tracking = shipment.Packages.Select(p => p.TrackingNumber).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
                planned = planned with { TrackingNumber = tracking };
            }

            basis = basis with { Shipment = planned };

            // In the shop already (by tracking number, else by our reference): nothing would be created.
            var existing = ShipmentSyncHandler.Matching(await shopShipments.ListShipmentsAsync(integration, orderNumber, ct) ?? [],
                string.IsNullOrEmpty(tracking) ? null : tracking, reference);
            if (existing.Count > 1)
            {
                throw new JunipeerException(ErrorCodes.DuplicateShopShipment,
                    $"{existing.Count} shipments of Centra order {orderNumber} match shipment {shipment.Number} ({tracking ?? reference}): {string.Join(", ", existing)}.");
            }

            if (existing.Count == 1)
                return basis with { Outcome = ShadowOutcome.AlreadyBooked, ExistingDocument = existing[0], Notes = notes };
            if (settings.NShift is not null && planned.ExistingBooking is null)
                notes.Add("The tracking number comes from the nShift booking (not made in shadow mode).");
            return basis with { Outcome = ShadowOutcome.WouldBook, Notes = notes };
        }
        catch (JunipeerException ex) when (!ex.Retryable)
        {
            return basis with
            {
                Outcome = ShadowOutcome.Failed,
                ErrorCode = ex.Code,
                Message = ex.Message,
                Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix,
            };
        }
    }
}
