namespace Junipeer.Core.Shadow;

/// <summary>What a shadow run decided for one entity.</summary>
public enum ShadowOutcome
{
    /// <summary>Everything checked out: this document would be booked.</summary>
    WouldBook,

    /// <summary>The ERP already holds a document with the entity's reference: nothing would be booked.</summary>
    AlreadyBooked,

    /// <summary>The live flow would skip it (status, ownership, SyncFrom); the reason says why.</summary>
    Skipped,

    /// <summary>The live flow would fail: the code and fix say what the operator must do first.</summary>
    Failed,
}

/// <summary>What the customer step would do.</summary>
public enum ShadowCustomerAction
{
    /// <summary>An existing ERP customer was found (mapping, buyer key or e-mail).</summary>
    Found,

    /// <summary>No customer exists: one would be created with the class and VAT zone shown.</summary>
    Create,

    /// <summary>The shared customer of the market/country (CustomerStrategy SharedPerMarket).</summary>
    Shared,
}

/// <summary>One line the ERP document would carry (net amounts in the document currency).</summary>
public sealed record ShadowLine(string ArticleNumber, string Description, decimal Quantity, decimal UnitPrice, decimal Discount, decimal Amount, string VatCategoryId);

/// <summary>
/// One entity's shadow result, kept per integration in the Shadow table (latest run wins): the
/// document a live run would book, or the skip reason, or the failure with its code and fix.
/// </summary>
public sealed record ShadowRecord
{
    public required string IntegrationId { get; init; }
    public required string Flow { get; init; }
    public required string EntityKey { get; init; }
    public required ShadowOutcome Outcome { get; init; }

    /// <summary>The ERP document type (orders: <c>customerInvoice</c>).</summary>
    public string? DocumentType { get; init; }
    public string? Reference { get; init; }
    public DateOnly? DocumentDate { get; init; }
    public string? Currency { get; init; }
    public decimal NetTotal { get; init; }
    public decimal VatTotal { get; init; }
    public decimal GrossTotal { get; init; }
    public string? VatCase { get; init; }
    public string? VatReason { get; init; }
    public string? TaxZoneId { get; init; }
    public IReadOnlyList<string> VatCategories { get; init; } = [];
    public IReadOnlyList<ShadowLine> Lines { get; init; } = [];

    /// <summary>The gift-certificate part that would be booked as a customer payment (0: none).</summary>
    public decimal GiftPayment { get; init; }

    public ShadowCustomerAction? CustomerAction { get; init; }
    public string? CustomerNumber { get; init; }
    public string? CustomerName { get; init; }
    public string? CustomerClassId { get; init; }

    /// <summary>AlreadyBooked: the ERP document(s) found under the reference.</summary>
    public string? ExistingDocument { get; init; }
    public string? SkipReason { get; init; }
    public string? ErrorCode { get; init; }
    public string? Message { get; init; }
    public string? Fix { get; init; }
    public DateTimeOffset? EntityDate { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>Payouts: the customer payments a live run would book (one per customer), with the invoices they apply.</summary>
    public IReadOnlyList<ShadowPayment> Payments { get; init; } = [];

    /// <summary>Payouts and refunds: the credit notes a live run would book (one per refund or chargeback).</summary>
    public IReadOnlyList<ShadowCreditNote> CreditNotes { get; init; } = [];

    /// <summary>Payouts: transactions that match no invoice (with the code a live run would report).</summary>
    public IReadOnlyList<ShadowUnmatched> Unmatched { get; init; } = [];

    /// <summary>Customers: <c>create</c> or <c>update</c> (null for document flows).</summary>
    public string? Action { get; init; }

    /// <summary>Customers: the side that would be written (<c>erp</c> or <c>shop</c>).</summary>
    public string? Target { get; init; }

    /// <summary>Customers: the fields that differ (what an update would send; every field of a create).</summary>
    public IReadOnlyList<ShadowFieldChange> Changes { get; init; } = [];

    /// <summary>Stock: the absolute levels a live run would set in this Centra warehouse, per SKU (latest read wins).</summary>
    public IReadOnlyList<ShadowStockLevel> StockLevels { get; init; } = [];

    /// <summary>Things the operator should know that do not stop the booking (customer credit, report-only chargebacks, conflicts).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Shipments: what a live run would book with the carrier and write to the shop (null for other flows).</summary>
    public ShadowShipment? Shipment { get; init; }
}

/// <summary>One customer payment a payout would book: cash applied per invoice plus fees written off with the reason code.</summary>
public sealed record ShadowPayment(
    string CustomerNumber, string Reference, decimal Amount, string Currency, decimal WriteOff, string? WriteOffReasonCode, decimal Charge, string? ChargeEntryType,
    IReadOnlyList<ShadowPaymentLine> Lines, string? ExistingDocument);

/// <summary>One invoice a payment applies: the cash paid and the fee written off.</summary>
public sealed record ShadowPaymentLine(string InvoiceNumber, string? InvoiceReference, decimal AmountPaid, decimal WriteOff);

/// <summary>One credit note a refund or chargeback would book (reference RF + hash of PSP and refund id).</summary>
public sealed record ShadowCreditNote(
    string Reference, string Kind, string TransactionId, string? InvoiceNumber, string? CustomerNumber, decimal Amount, string Currency, string? VatZoneId,
    bool AppliedToInvoice, string? ExistingDocument);

/// <summary>A payout transaction that matches no ERP invoice: <see cref="Code"/> is what a live run reports (null: the orders flow would book its invoice first).</summary>
public sealed record ShadowUnmatched(string TransactionId, string Kind, string? Reference, decimal Gross, string? Code, string? Note);

/// <summary>One stock level a live run would push: the Centra SKU, the Visma article it comes from, the quantity.</summary>
public sealed record ShadowStockLevel(string Sku, string Article, int Quantity);

/// <summary>One field a create or update would write: the value now (null on a create) and the value it would get (null: the field is cleared).</summary>
public sealed record ShadowFieldChange(string Field, string? From, string? To);

/// <summary>
/// One ERP shipment as a live run would handle it: the carrier booking (service, parcels, receiver, our reference; or the
/// booking already made under the reference) and the shop shipment (order lines and quantities, tracking number, capture,
/// the tracking number written back to the ERP).
/// </summary>
public sealed record ShadowShipment
{
    public required string OrderNumber { get; init; }

    /// <summary>The ERP's shipping method (Visma <c>shipVia</c>).</summary>
    public string? ShipVia { get; init; }

    /// <summary>The carrier service the mapping chose (null: no carrier booking configured).</summary>
    public string? CarrierServiceId { get; init; }

    public IReadOnlyList<ShadowParcel> Parcels { get; init; } = [];

    /// <summary>The receiver as it would be sent: name, postal code, city, country.</summary>
    public string? Receiver { get; init; }

    /// <summary>A carrier booking that already carries the reference (a live run adopts it instead of booking again).</summary>
    public string? ExistingBooking { get; init; }

    /// <summary>The shop order lines the shop shipment would carry (line id, SKU, quantity).</summary>
    public IReadOnlyList<ShadowShipmentLine> Lines { get; init; } = [];

    public bool Partial { get; init; }

    /// <summary>The tracking number known without booking (the ERP's package line, or the existing booking's).</summary>
    public string? TrackingNumber { get; init; }

    /// <summary>The shop shipment's payment would be captured.</summary>
    public bool Capture { get; init; }

    public bool SendEmail { get; init; }

    /// <summary>The carrier's tracking number would be written back to the ERP's package line.</summary>
    public bool WriteTrackingBack { get; init; }
}

/// <summary>One parcel of a carrier booking.</summary>
public sealed record ShadowParcel(decimal WeightKg, string? Contents);

/// <summary>One shop order line a shop shipment would carry.</summary>
public sealed record ShadowShipmentLine(string LineId, string Sku, int Quantity);

/// <summary>Port: the Shadow table (PartitionKey = integration, RowKey = flow + entity key).</summary>
public interface IShadowLog
{
    Task SaveAsync(ShadowRecord record, CancellationToken cancellationToken);

    /// <summary>Every record of the integration, optionally of one flow.</summary>
    Task<IReadOnlyList<ShadowRecord>> ListAsync(string integrationId, string? flow, CancellationToken cancellationToken);
}
