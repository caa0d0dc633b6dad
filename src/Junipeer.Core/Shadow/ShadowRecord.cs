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
}

/// <summary>Port: the Shadow table (PartitionKey = integration, RowKey = flow + entity key).</summary>
public interface IShadowLog
{
    Task SaveAsync(ShadowRecord record, CancellationToken cancellationToken);

    /// <summary>Every record of the integration, optionally of one flow.</summary>
    Task<IReadOnlyList<ShadowRecord>> ListAsync(string integrationId, string? flow, CancellationToken cancellationToken);
}
