namespace Junipeer.Sandbox.Visma;

/// <summary>
/// A Visma.net company (tenant) as seeded through <c>POST /_sandbox/visma/companies</c> or
/// <see cref="VismaState.CreateCompany"/>. The client (<see cref="ClientId"/>/<see cref="ClientSecret"/>)
/// is connected to this tenant; one client may be connected to several tenants.
/// </summary>
public sealed class VismaCompanySpec
{
    public string TenantId { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public string Name { get; set; } = "Sandbox AB";

    public string BaseCurrency { get; set; } = "SEK";

    public List<CustomerClassSpec> CustomerClasses { get; set; } = [];

    public List<VatZoneSpec> VatZones { get; set; } = [];

    public List<VatCategorySpec> VatCategories { get; set; } = [];

    public List<TaxSpec> Taxes { get; set; } = [];

    /// <summary>Customer number series: first number; its width sets the zero padding.</summary>
    public string CustomerStart { get; set; } = "10000";

    public string CustomerEnd { get; set; } = "99999";

    /// <summary>Last number already used (null: none yet, the next is <see cref="CustomerStart"/>).</summary>
    public string? CustomerLast { get; set; }

    /// <summary>Invoice (ARINVOICE) number series.</summary>
    public string InvoiceStart { get; set; } = "000001";

    public string InvoiceEnd { get; set; } = "999999";

    public string? InvoiceLast { get; set; }

    /// <summary>Inventory numbers that are stock items (rejected on customer invoice lines).</summary>
    public List<string> StockItems { get; set; } = [];

    /// <summary>Payment methods a customer payment may use (<c>paymentMethod</c>); unknown → 400.</summary>
    public List<PaymentMethodSpec> PaymentMethods { get; set; } = [];

    /// <summary>Cash accounts a customer payment may be booked on (<c>cashAccount</c>); unknown → 400.</summary>
    public List<string> CashAccounts { get; set; } = [];

    /// <summary>Customer payment (ARPAYMENT) number series.</summary>
    public string PaymentStart { get; set; } = "000001";

    public string PaymentEnd { get; set; } = "999999";

    public string? PaymentLast { get; set; }

    /// <summary>
    /// Reason codes with usage "Balance write-off" (Reason codes window; no API lists them): a payment
    /// line's <c>writeOffReasonCode</c> must be one of these.
    /// </summary>
    public List<string> WriteOffReasonCodes { get; set; } = [];

    /// <summary>Cash entry types a payment's <c>financeCharges</c> may use (UI-configured in Visma).</summary>
    public List<string> ChargeEntryTypes { get; set; } = [];

    /// <summary>Customer credit note number series (own series; whether Visma shares ARINVOICE is not documented).</summary>
    public string CreditNoteStart { get; set; } = "000001";

    public string CreditNoteEnd { get; set; } = "999999";

    /// <summary>Preflight knob: modules the company has no licence for (Customers, Financials, Inventory, Sales); their endpoints answer 403.</summary>
    public List<string> MissingModules { get; set; } = [];

    /// <summary>Preflight knob: the customer number series (numbering id CUSTOMER) is set to manual numbering.</summary>
    public bool CustomerNumberingManual { get; set; }

    /// <summary>Preflight knob: there is no customer number series (CUSTOMER) at all.</summary>
    public bool CustomerNumberingMissing { get; set; }

    /// <summary>Warehouses (GET /v1/warehouse).</summary>
    public List<WarehouseSpec> Warehouses { get; set; } = [];
}

public sealed class PaymentMethodSpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";
}

public sealed class CustomerClassSpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>Default VAT zone of customers of this class.</summary>
    public string? TaxZoneId { get; set; }

    public bool RequiredTaxzoneId { get; set; }

    public string? PaymentMethodId { get; set; }

    public bool InvoiceOrdersSeparately { get; set; }

    /// <summary>
    /// "Enable write-offs" with this write-off limit per application line; null: write-offs are not
    /// enabled for customers of this class and a payment line with a balance write-off is refused.
    /// </summary>
    public decimal? WriteOffLimit { get; set; }
}

public sealed class VatZoneSpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    public string? DefaultVatCategory { get; set; }

    /// <summary>Taxes (VAT ids) that apply in this zone.</summary>
    public List<string> TaxIds { get; set; } = [];
}

public sealed class VatCategorySpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    public bool Active { get; set; } = true;

    /// <summary>Taxes (VAT ids) of this category.</summary>
    public List<string> TaxIds { get; set; } = [];
}

public sealed class TaxSpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    public List<TaxRateSpec> Rates { get; set; } = [];
}

public sealed class TaxRateSpec
{
    public DateOnly EffectiveDate { get; set; } = new(2000, 1, 1);

    /// <summary>Percent, e.g. 25.</summary>
    public decimal Rate { get; set; }
}

/// <summary>Ground truth about one customer invoice.</summary>
public sealed record VismaInvoiceSnapshot(
    string ReferenceNumber,
    string CustomerNumber,
    string? CustomerRefNumber,
    string? ExternalReference,
    string? InvoiceText,
    string CurrencyId,
    DateOnly DocumentDate,
    string VatZoneId,
    string Status,
    decimal DetailTotal,
    decimal VatTaxableTotal,
    decimal VatTotal,
    decimal Amount,
    decimal Balance,
    IReadOnlyList<VismaTaxDetail> TaxDetails,
    IReadOnlyList<VismaInvoiceLineSnapshot> Lines,
    DateTimeOffset CreatedAt);

public sealed record VismaTaxDetail(string TaxId, decimal VatRate, decimal TaxableAmount, decimal VatAmount);

public sealed record VismaInvoiceLineSnapshot(
    int LineNumber,
    string? InventoryNumber,
    string? Description,
    decimal Quantity,
    decimal UnitPriceInCurrency,
    decimal DiscountAmountInCurrency,
    decimal AmountInCurrency,
    string VatCodeId);

/// <summary>Ground truth about one customer.</summary>
public sealed record VismaCustomerSnapshot(
    string Number,
    int InternalId,
    string Name,
    string Status,
    string CustomerClassId,
    string? VatZoneId,
    string? CurrencyId,
    string? Email,
    string? VatRegistrationId,
    string? CorporateId,
    string? CountryId,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? AddressLine1 { get; init; }
    public string? AddressLine2 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public DateTimeOffset LastModified { get; init; }
}

/// <summary>Ground truth about one customer payment.</summary>
public sealed record VismaPaymentSnapshot(
    string RefNbr,
    string Type,
    string Status,
    string CustomerNumber,
    string? PaymentRef,
    string PaymentMethodId,
    string CashAccount,
    string Currency,
    DateOnly ApplicationDate,
    decimal PaymentAmount,
    string? InvoiceText,
    IReadOnlyList<VismaPaymentLineSnapshot> Lines,
    DateTimeOffset CreatedAt);

public sealed record VismaPaymentLineSnapshot(string DocumentType, string RefNbr, decimal AmountPaid, decimal BalanceWriteOff = 0m, string? WriteOffReasonCode = null);

/// <summary>Ground truth about one customer credit note (same shape as an invoice, plus the invoices it is applied to).</summary>
public sealed record VismaCreditNoteSnapshot(VismaInvoiceSnapshot Document, IReadOnlyList<VismaPaymentLineSnapshot> Applications);
