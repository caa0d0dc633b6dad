using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Shipments;

/// <summary>The shipments flow's phase sequence, in order. Stored by name; an unknown name is an error.</summary>
public enum ShipmentPhase
{
    New,
    BookingAttempted,
    Booked,
    ShopShipmentAttempted,
    ShopShipmentCreated,
    CaptureAttempted,
    Captured,
    TrackingWriteBackAttempted,
    TrackingWrittenBack,
}

/// <summary>Document steps of a shipment's ledger row (step → external id).</summary>
public static class ShipmentDocuments
{
    /// <summary>The nShift shipment id.</summary>
    public const string Booking = "booking";

    /// <summary>The Centra shipment id.</summary>
    public const string ShopShipment = "shopShipment";
}

/// <summary>Ledger facts of a shipment's row.</summary>
public static class ShipmentFacts
{
    /// <summary>The reference of the first attempt (prefix + ERP shipment number); later lookups use it.</summary>
    public const string Reference = "reference";

    /// <summary>The tracking number the customer gets (carrier booking, else the ERP's package line).</summary>
    public const string TrackingNumber = "trackingNumber";

    public const string OrderNumber = "orderNumber";
    public const string ServiceId = "serviceId";

    /// <summary>The ERP's lastModifiedDateTime as last read (round-trip "O"): the sweep's "unchanged" test.</summary>
    public const string ErpModifiedAt = "erpModifiedAt";

    public const string Partial = "partial";
}

/// <summary>
/// One ERP shipment → at most one carrier booking, exactly one shop shipment (with tracking number),
/// one capture, and the tracking number written back. Business steps only; the exactly-once recipe
/// (fenced lease, attempted phases, lookup by our reference or the tracking number after an
/// uncertain attempt, status-checked capture and write-back) is <see cref="ExactlyOnce"/>'s.
/// </summary>
public sealed class ShipmentSyncHandler(
    IIntegrationStore integrations,
    IEnumerable<IErpShipments> erpShipments,
    IShopOrderSource shop,
    IShopShipments shopShipments,
    ICarrierBooking carrier,
    ExactlyOnce exactlyOnce,
    IWorkQueue queue,
    IEventLog events,
    TimeProvider time,
    IOptions<JunipeerOptions> options,
    ILogger<ShipmentSyncHandler> logger,
    Shadow.ShadowShipmentSync shadow)
{
    /// <summary>ERP statuses that come after the trigger status (a shipment read late still counts).</summary>
    public static readonly IReadOnlyList<string> LaterStatuses = ["Completed", "Invoiced", "PartiallyInvoiced"];

    private readonly OrderSyncOptions _opt = options.Value.Orders;

    private TimeSpan Hold => TimeSpan.FromSeconds(_opt.LeaseSeconds);

    public static WorkItem Item(string integrationId, string shipmentNumber, string reason, string correlationId, DateTimeOffset at) => new()
    {
        Kind = WorkKinds.Shipment,
        IntegrationId = integrationId,
        EntityKey = shipmentNumber,
        Reason = reason,
        CorrelationId = correlationId,
        EnqueuedAt = at,
    };

    public IErpShipments ErpFor(Integration integration) =>
        erpShipments.FirstOrDefault(e => string.Equals(e.Kind, integration.Erp.Kind, StringComparison.OrdinalIgnoreCase))
        ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
            $"Integration '{integration.Id}' uses ERP kind '{integration.Erp.Kind}', which has no shipments connector in this deployment.");

    public async Task<SyncResult> HandleAsync(WorkItem item, string invocationId, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = item.CorrelationId,
            ["IntegrationId"] = item.IntegrationId,
            ["ShipmentNumber"] = item.EntityKey,
        });

        var integration = await integrations.GetForWorkAsync(item, ct);
        if (integration is null)
        {
            logger.LogWarning("Shipment {ShipmentNumber} for unknown integration {IntegrationId} dropped", item.EntityKey, item.IntegrationId);
            return new SyncResult(SyncOutcome.Failed, ErrorCode: ErrorCodes.IntegrationNotFound);
        }

        if (!integration.Shipments.Enabled)
        {
            await Event(integration.Id, item, EventSeverity.Warning, "Shipments flow is disabled; shipment not synced", ErrorCodes.FlowDisabled, ct);
            return new SyncResult(SyncOutcome.Skipped, ErrorCode: ErrorCodes.FlowDisabled);
        }

        if (integration.Mode == IntegrationMode.Shadow)
        {
            // Shadow mode: read-only by construction (no ledger row, no carrier booking, no shop or ERP write).
            var shadowed = await shadow.RunAsync(integration, item.EntityKey, ct);
            return shadowed.Outcome == Shadow.ShadowOutcome.Failed
                ? new SyncResult(SyncOutcome.Failed, ErrorCode: shadowed.ErrorCode, Message: shadowed.Message)
                : new SyncResult(SyncOutcome.Skipped, Message: $"shadow: {shadowed.Outcome}");
        }

        var work = await exactlyOnce.OpenAsync<ShipmentPhase>(new LedgerKey(integration.Id, Flows.Shipments, item.EntityKey), invocationId, item.CorrelationId, Hold, ct);
        if (work.IsDone)
        {
            return new SyncResult(SyncOutcome.AlreadyDone, work.Document(ShipmentDocuments.ShopShipment));
        }

        return await WorkOutcomes.RunAsync(work, item, queue, time, _opt.MaxRequeues, logger,
            () => SyncAsync(integration, item, work, ct),
            async ex =>
            {
                if (!await work.FailAsync(ex.Code, ex.Message, CancellationToken.None))
                    logger.LogWarning("Shipment {ShipmentNumber} failed with {ErrorCode}, but another worker changed its row; that worker's state stands", item.EntityKey, ex.Code);
                logger.LogError("Shipment {ShipmentNumber} failed with {ErrorCode}: {Message}", item.EntityKey, ex.Code, ex.Message);
                await Event(integration.Id, item, EventSeverity.Error, ex.Message, ex.Code, ct);
                return new SyncResult(SyncOutcome.Failed, work.Document(ShipmentDocuments.ShopShipment), ex.Code, ex.Message);
            },
            ct);
    }

    private async Task<SyncResult> SyncAsync(Integration integration, WorkItem item, Work<ShipmentPhase> work, CancellationToken ct)
    {
        var settings = integration.Shipments;
        var fresh = work.IsFresh;
        var erp = ErpFor(integration);
        var shipment = await erp.GetShipmentAsync(integration, item.EntityKey, ct);
        if (shipment is null)
        {
            logger.LogWarning("Visma has no shipment {ShipmentNumber}; nothing to do", item.EntityKey);
            return new SyncResult(SyncOutcome.Skipped, Message: "shipment not found in the ERP");
        }

        if (shipment.LastModified is { } modified)
            work.Note(ShipmentFacts.ErpModifiedAt, modified.ToString("O", CultureInfo.InvariantCulture));

        if (!work.Reached(ShipmentPhase.BookingAttempted) && !IsTriggered(settings, shipment.Status))
        {
            // Not confirmed (yet): nothing is written; a later signal or sweep brings it back.
            return new SyncResult(SyncOutcome.Skipped, Message: $"status {shipment.Status} is not {settings.TriggerStatus}");
        }

        if (!work.Reached(ShipmentPhase.BookingAttempted) && CutOverReason(integration, shipment) is { } before)
        {
            // Confirmed before the integration went live: the process before the cut-over handled it.
            await work.CompleteAsync(LedgerStatus.Skipped, ct, before);
            return new SyncResult(SyncOutcome.Skipped, Message: before);
        }

        // Everything is decided before the first external write: order, lines, service.
        var orderNumber = work.Entry.Facts.GetValueOrDefault(ShipmentFacts.OrderNumber) ?? OrderNumberOf(settings, shipment)
            ?? throw new JunipeerException(ErrorCodes.ShipmentOrderNotFound,
                $"Shipment {shipment.Number} has no shop order number in {settings.OrderNumberField}.");
        var order = await shop.GetOrderAsync(integration, orderNumber, ct)
                    ?? throw new JunipeerException(ErrorCodes.ShipmentOrderNotFound, $"Centra has no order {orderNumber} (shipment {shipment.Number}, field {settings.OrderNumberField}).");
        var (lines, partial) = MapLines(shipment, order);
        if (partial && !settings.AllowPartialShipments)
        {
            throw new JunipeerException(ErrorCodes.ShipmentPartialNotAllowed,
                $"Shipment {shipment.Number} does not ship all of order {orderNumber} and Shipments.AllowPartialShipments is false.");
        }

        var reference = work.Entry.Facts.GetValueOrDefault(ShipmentFacts.Reference) ?? settings.ReferencePrefix + shipment.Number;
        work.Note(new Dictionary<string, string>
        {
            [ShipmentFacts.Reference] = reference,
            [ShipmentFacts.OrderNumber] = orderNumber,
            [ShipmentFacts.Partial] = partial ? "true" : "false",
        });

        var tracking = work.Entry.Facts.GetValueOrDefault(ShipmentFacts.TrackingNumber);
        string? serviceId = null;
        var bookingRecovered = false;
        if (settings.NShift is not null)
        {
            serviceId = work.Entry.Facts.GetValueOrDefault(ShipmentFacts.ServiceId) ?? ServiceFor(settings, shipment);
            work.Note(ShipmentFacts.ServiceId, serviceId);
            var receiver = Receiver(shipment, order);
            CarrierBooking? made = null;
            var booking = await work.CreateOnceAsync(
                ShipmentDocuments.Booking,
                ShipmentPhase.BookingAttempted,
                findExisting: async () =>
                {
                    var found = (await carrier.FindByReferenceAsync(integration, reference, ct))
                        .Where(b => string.Equals(b.Reference, reference, StringComparison.Ordinal)).ToList();
                    made = found.Count == 1 ? found[0] : null;
                    return found.Select(b => b.Id).ToList();
                },
                create: async () =>
                {
                    made = await carrier.BookAsync(integration, new CarrierBookingRequest
                    {
                        Reference = reference,
                        OrderNumber = orderNumber,
                        ServiceId = serviceId,
                        Receiver = receiver,
                        Parcels = Parcels(shipment),
                        ShipDate = shipment.ShipmentDate,
                    }, ct);
                    return made.Id;
                },
                duplicates: found => new JunipeerException(ErrorCodes.DuplicateCarrierBooking,
                    $"{found.Count} nShift shipments carry reference {reference}: {string.Join(", ", found)}."),
                ct,
                // A row that cannot vouch for the carrier (first attempt, or storage lost): ask by reference first.
                precheck: fresh ? () => Task.FromResult<IReadOnlyList<string>?>(null) : null);
            if (made?.TrackingNumber is { } t)
                tracking = t;
            work.Note(ShipmentFacts.TrackingNumber, tracking ?? "");
            work.Advance(ShipmentPhase.Booked);
            bookingRecovered = booking.Recovered;
            logger.LogInformation("Shipment {ShipmentNumber} booked with nShift as {BookingId} ({Tracking}){How}", shipment.Number, booking.Id, tracking,
                booking.Recovered ? ", found by reference" : "");
        }
        else
        {
            tracking ??= shipment.Packages.Select(p => p.TrackingNumber).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
            if (tracking is not null)
                work.Note(ShipmentFacts.TrackingNumber, tracking);
        }

        tracking = string.IsNullOrEmpty(tracking) ? null : tracking;
        var shopShipment = await work.CreateOnceAsync(
            ShipmentDocuments.ShopShipment,
            ShipmentPhase.ShopShipmentAttempted,
            findExisting: async () => Matching(await shopShipments.ListShipmentsAsync(integration, orderNumber, ct) ?? [], tracking, reference),
            create: async () => (await shopShipments.CreateShipmentAsync(integration, new ShopShipmentDraft
            {
                OrderNumber = orderNumber,
                Lines = lines,
                ShippedAt = shipment.ShipmentDate ?? time.GetUtcNow(),
                Carrier = settings.NShift is null ? shipment.ShipVia : "nShift",
                Service = serviceId ?? shipment.ShipVia,
                TrackingNumber = tracking,
                PackagesNumber = Math.Max(1, shipment.Packages.Count),
                Reference = reference,
                SendEmail = settings.SendShopEmail,
            }, ct)).Id,
            duplicates: found => new JunipeerException(ErrorCodes.DuplicateShopShipment,
                $"{found.Count} shipments of Centra order {orderNumber} match shipment {shipment.Number} ({tracking ?? reference}): {string.Join(", ", found)}."),
            ct,
            precheck: fresh || bookingRecovered ? () => Task.FromResult<IReadOnlyList<string>?>(null) : null);
        work.Advance(ShipmentPhase.ShopShipmentCreated);

        if (settings.CaptureInShop)
        {
            await work.ActOnceAsync(
                ShipmentPhase.CaptureAttempted,
                ShipmentPhase.Captured,
                isDone: async () => (await shopShipments.ListShipmentsAsync(integration, orderNumber, ct) ?? [])
                    .Any(s => s.Id == shopShipment.Id && s.IsCaptured),
                act: () => shopShipments.CaptureShipmentAsync(integration, orderNumber, shopShipment.Id, ct),
                ct,
                checkFirst: shopShipment.Recovered);
        }

        if (settings.WriteTrackingToErp && settings.NShift is not null && tracking is not null)
        {
            var line = shipment.Packages.Count > 0 ? shipment.Packages.Min(p => p.LineNumber) : 1;
            await work.ActOnceAsync(
                ShipmentPhase.TrackingWriteBackAttempted,
                ShipmentPhase.TrackingWrittenBack,
                isDone: async () => (await erp.GetShipmentAsync(integration, shipment.Number, ct))?.Packages
                    .Any(p => p.LineNumber == line && p.TrackingNumber == tracking) == true,
                act: () => erp.SetTrackingNumberAsync(integration, shipment.Number, line, tracking, ct),
                ct,
                checkFirst: shipment.Packages.Any(p => p.LineNumber == line && p.TrackingNumber == tracking));
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        await Event(integration.Id, item, EventSeverity.Info,
            $"Shipment {shipment.Number} of order {orderNumber} reached Centra as shipment {shopShipment.Id}" +
            (tracking is null ? "" : $" (tracking {tracking})") + (partial ? ", partial" : ""), null, ct);
        return new SyncResult(SyncOutcome.Done, shopShipment.Id);
    }

    /// <summary>
    /// Why a live run does not book the shipment (null: it does): it was confirmed before <see cref="Integration.CutOverDate"/>.
    /// Visma.net's shipment carries no confirmation time (the contract's ShipmentDto has status, shipmentDate and
    /// lastModifiedDateTime only), so "confirmed before the cut-over" is read as "in a confirmed (or later) status and last
    /// modified before the cut-over": nothing has touched it since the old process shipped it. A shipment confirmed before
    /// and edited after the cut-over cannot be told from one confirmed after it and is booked.
    /// </summary>
    public static string? CutOverReason(Integration integration, ErpShipment shipment) =>
        integration.Mode == IntegrationMode.Live && integration.CutOverDate is { } cutOver && shipment.LastModified is { } modified && modified < cutOver
            ? $"shipment confirmed before the cut-over date {cutOver.ToString("O", CultureInfo.InvariantCulture)} (last modified {modified.ToString("O", CultureInfo.InvariantCulture)}): not booked"
            : null;

    /// <summary>True when the ERP status is the trigger status or one that can only come after it.</summary>
    public static bool IsTriggered(ShipmentFlowSettings settings, string status) =>
        string.Equals(status, settings.TriggerStatus, StringComparison.OrdinalIgnoreCase)
        || LaterStatuses.Contains(status, StringComparer.OrdinalIgnoreCase);

    /// <summary>The shop order number from the configured field of the ERP shipment.</summary>
    public static string? OrderNumberOf(ShipmentFlowSettings settings, ErpShipment shipment)
    {
        var field = settings.OrderNumberField;
        var value = string.Equals(field, "orderNbr", StringComparison.OrdinalIgnoreCase)
            ? shipment.OrderNumbers.Distinct(StringComparer.Ordinal).SingleOrDefault()
            : shipment.CustomFields.GetValueOrDefault(field);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>
    /// The carrier service for the shipment: the most specific mapping wins (country and shipping
    /// method, then shipping method, then country, then a catch-all).
    /// </summary>
    public static string ServiceFor(ShipmentFlowSettings settings, ErpShipment shipment)
    {
        var country = shipment.Delivery.CountryCode;
        var method = shipment.ShipVia;
        bool Eq(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        var map = settings.CarrierServices;
        var hit = map.FirstOrDefault(m => Eq(m.Country, country) && Eq(m.ShippingMethod, method))
                  ?? map.FirstOrDefault(m => m.Country is null && Eq(m.ShippingMethod, method))
                  ?? map.FirstOrDefault(m => Eq(m.Country, country) && m.ShippingMethod is null)
                  ?? map.FirstOrDefault(m => m.Country is null && m.ShippingMethod is null);
        return hit?.ServiceId ?? throw new JunipeerException(ErrorCodes.CarrierServiceNotMapped,
            $"No nShift service is mapped for country {country ?? "(none)"} and shipping method {method ?? "(none)"} (shipment {shipment.Number}); add one to Shipments.CarrierServices.");
    }

    /// <summary>ERP shipment lines → shop order lines (by SKU), and whether the shipment is partial.</summary>
    public static (IReadOnlyList<(string LineId, int Quantity)> Lines, bool Partial) MapLines(ErpShipment shipment, ShopOrder order)
    {
        var result = new List<(string, int)>();
        var partial = false;
        var left = order.Lines.ToDictionary(l => l.LineId, l => l.Quantity, StringComparer.Ordinal);
        foreach (var line in shipment.Lines.Where(l => l.ShippedQty > 0))
        {
            var candidates = order.Lines.Where(l => string.Equals(l.Sku, line.InventoryNumber, StringComparison.OrdinalIgnoreCase)).ToList();
            if (candidates.Count == 0)
            {
                throw new JunipeerException(ErrorCodes.ShipmentLineNotInOrder,
                    $"Shipment {shipment.Number} line {line.LineNumber} ships item {line.InventoryNumber}, which is no SKU of order {order.OrderNumber}.");
            }

            var qty = line.ShippedQty;
            if (qty != decimal.Truncate(qty))
            {
                throw new JunipeerException(ErrorCodes.ShipmentLineNotInOrder,
                    $"Shipment {shipment.Number} line {line.LineNumber} ships {qty} of {line.InventoryNumber}; shop quantities are whole units.");
            }

            foreach (var c in candidates)
            {
                if (qty == 0)
                    break;
                var take = Math.Min(qty, left[c.LineId]);
                if (take <= 0)
                    continue;
                left[c.LineId] -= take;
                qty -= take;
                result.Add((c.LineId, (int)take));
            }

            if (qty > 0)
            {
                throw new JunipeerException(ErrorCodes.ShipmentLineNotInOrder,
                    $"Shipment {shipment.Number} ships {line.ShippedQty} of {line.InventoryNumber}, more than order {order.OrderNumber} has.");
            }

            if (line.OrderedQty > line.ShippedQty)
                partial = true;
        }

        if (result.Count == 0)
        {
            throw new JunipeerException(ErrorCodes.ShipmentLineNotInOrder, $"Shipment {shipment.Number} ships nothing of order {order.OrderNumber}.");
        }

        partial |= left.Values.Any(v => v > 0);
        var merged = result.GroupBy(r => r.Item1, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(x => x.Item2))).ToList();
        return (merged, partial);
    }

    /// <summary>Shop shipments of the order that are this ERP shipment's: by tracking number, else by our reference.</summary>
    public static List<string> Matching(IReadOnlyList<ShopShipment> shipments, string? tracking, string reference) =>
        shipments.Where(s => tracking is not null
                ? string.Equals(s.TrackingNumber, tracking, StringComparison.Ordinal)
                : string.Equals(s.AdditionalMessage, reference, StringComparison.Ordinal))
            .Select(s => s.Id).ToList();

    /// <summary>The receiver sent to the carrier: the ERP's delivery address, gaps filled from the shop order.</summary>
    public static ShipmentAddress Receiver(ErpShipment shipment, ShopOrder order)
    {
        // The ERP's delivery address is what the warehouse ships to; the shop order fills its gaps
        // (name, e-mail, phone: Visma's delivery contact is often empty for web orders).
        var d = shipment.Delivery;
        var s = order.ShippingAddress;
        var shopName = string.Join(' ', new[] { s.FirstName, s.LastName }.Where(x => !string.IsNullOrWhiteSpace(x)));
        return new ShipmentAddress
        {
            Name = First(d.Name, s.CompanyName, shopName),
            Attention = First(d.Attention, string.IsNullOrWhiteSpace(s.CompanyName) ? null : shopName),
            Address1 = First(d.Address1, s.Address1),
            Address2 = First(d.Address2, s.Address2),
            PostalCode = First(d.PostalCode, s.ZipCode),
            City = First(d.City, s.City),
            CountryCode = First(d.CountryCode, s.CountryCode),
            Email = First(d.Email, s.Email, order.Customer.Email),
            Phone = First(d.Phone, s.Phone),
        };
    }

    /// <summary>The carrier parcels: one per ERP package (by line number), or one without weight.</summary>
    public static List<CarrierParcel> Parcels(ErpShipment shipment) =>
        shipment.Packages.Count > 0
            ? shipment.Packages.OrderBy(p => p.LineNumber).Select(p => new CarrierParcel(p.Weight, p.Description)).ToList()
            : [new CarrierParcel(0, null)];

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private Task Event(string integrationId, WorkItem item, EventSeverity severity, string message, string? code, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integrationId,
            Flow = Flows.Shipments,
            EntityKey = item.EntityKey,
            Severity = severity,
            Message = message,
            ErrorCode = code,
            Fix = code is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix,
            CorrelationId = item.CorrelationId,
            At = time.GetUtcNow(),
        }, CancellationToken.None);
}
