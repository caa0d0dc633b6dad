using System.Globalization;

namespace Junipeer.Sandbox.Visma;

internal sealed class Company
{
    public Company(VismaCompanySpec spec)
    {
        Spec = spec;
        Classes = spec.CustomerClasses.ToDictionary(c => c.Id, StringComparer.OrdinalIgnoreCase);
        Zones = spec.VatZones.ToDictionary(z => z.Id, StringComparer.OrdinalIgnoreCase);
        Categories = spec.VatCategories.ToDictionary(c => c.Id, StringComparer.OrdinalIgnoreCase);
        Taxes = spec.Taxes.ToDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
        StockItems = new HashSet<string>(spec.StockItems, StringComparer.OrdinalIgnoreCase);
        CustomerSeries = new NumberSeries("CUSTOMER", spec.CustomerStart, spec.CustomerEnd, spec.CustomerLast);
        InvoiceSeries = new NumberSeries("ARINVOICE", spec.InvoiceStart, spec.InvoiceEnd, spec.InvoiceLast);
        PaymentSeries = new NumberSeries("ARPAYMENT", spec.PaymentStart, spec.PaymentEnd, spec.PaymentLast);
        PaymentMethods = spec.PaymentMethods.ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
        CashAccounts = new HashSet<string>(spec.CashAccounts, StringComparer.OrdinalIgnoreCase);
        CreditNoteSeries = new NumberSeries("ARCREDITNOTE", spec.CreditNoteStart, spec.CreditNoteEnd, null);
    }

    public NumberSeries CreditNoteSeries { get; }

    /// <summary>Customer credit notes (the same document shape as invoices, document type CreditNote).</summary>
    public SortedDictionary<string, Invoice> CreditNotes { get; } = new(StringComparer.Ordinal);

    public VismaCompanySpec Spec { get; }

    public string TenantId => Spec.TenantId;

    public Dictionary<string, CustomerClassSpec> Classes { get; }

    public Dictionary<string, VatZoneSpec> Zones { get; }

    public Dictionary<string, VatCategorySpec> Categories { get; }

    public Dictionary<string, TaxSpec> Taxes { get; }

    public HashSet<string> StockItems { get; }

    public NumberSeries CustomerSeries { get; }

    public NumberSeries InvoiceSeries { get; }

    public NumberSeries PaymentSeries { get; }

    public Dictionary<string, PaymentMethodSpec> PaymentMethods { get; }

    public HashSet<string> CashAccounts { get; }

    public SortedDictionary<string, Payment> Payments { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, Customer> Customers { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, Invoice> Invoices { get; } = new(StringComparer.Ordinal);

    /// <summary>Inventory items (articles) by inventory number (see VismaState.Inventory.cs).</summary>
    public SortedDictionary<string, InventoryItem> Inventory { get; } = new(StringComparer.Ordinal);

    public int NextInternalId { get; set; } = 1000;

    public long Version { get; set; } = 0x1F000;

    public long NextVersion() => ++Version;
}

internal sealed record Address(string? Line1, string? Line2, string? Line3, string? PostalCode, string? City, string? CountryId);

internal sealed record Contact(string? Name, string? Email, string? Phone1);

internal sealed class Customer
{
    public required string Number { get; init; }

    public required int InternalId { get; init; }

    public required string Name { get; set; }

    public required string Status { get; set; }

    public required string ClassId { get; set; }

    public string? CurrencyId { get; set; }

    public string? VatZoneId { get; set; }

    public string? VatRegistrationId { get; set; }

    public string? CorporateId { get; set; }

    public Address? MainAddress { get; set; }

    public Address? InvoiceAddress { get; set; }

    public Contact? MainContact { get; set; }

    public Dictionary<string, string> Attributes { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset LastModified { get; set; }

    public long Version { get; set; }
}

internal sealed class Invoice
{
    public required string ReferenceNumber { get; init; }

    public required string CustomerNumber { get; init; }

    public required DateOnly DocumentDate { get; init; }

    public required string CurrencyId { get; init; }

    public required string VatZoneId { get; init; }

    public string? CustomerRefNumber { get; init; }

    public string? ExternalReference { get; init; }

    public string? InvoiceText { get; init; }

    public string? Note { get; init; }

    public bool Hold { get; set; }

    public required string Status { get; set; }

    public List<InvoiceLine> Lines { get; } = [];

    public List<VismaTaxDetail> TaxDetails { get; } = [];

    public decimal DetailTotal { get; set; }

    public decimal VatTaxableTotal { get; set; }

    public decimal VatTotal { get; set; }

    public decimal Amount { get; set; }

    public decimal Balance { get; set; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset LastModified { get; set; }

    public long Version { get; set; }

    /// <summary>Credit notes only: the invoices the credit is applied to on release (applicationLines).</summary>
    public List<PaymentLine> Applications { get; } = [];
}

internal sealed record InvoiceLine(
    int LineNumber,
    string? InventoryNumber,
    string? Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal DiscountAmount,
    decimal? ManualAmount,
    decimal Amount,
    string VatCodeId,
    string? Uom);

internal sealed class Payment
{
    public required string RefNbr { get; init; }

    public required string Type { get; init; }

    public required string CustomerNumber { get; init; }

    public required DateOnly ApplicationDate { get; init; }

    public string? PaymentRef { get; init; }

    public required string PaymentMethodId { get; init; }

    public required string CashAccount { get; init; }

    public required string Currency { get; init; }

    public required decimal PaymentAmount { get; init; }

    public string? InvoiceText { get; init; }

    public bool Hold { get; set; }

    /// <summary>Hold, Balanced (not released), Open (released, part unapplied), Closed (released, fully applied).</summary>
    public required string Status { get; set; }

    public List<PaymentLine> Lines { get; } = [];

    public List<FinanceCharge> Charges { get; } = [];

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset LastModified { get; set; }

    public long Version { get; set; }
}

internal sealed record PaymentLine(string DocumentType, string RefNbr, decimal AmountPaid, decimal BalanceWriteOff = 0m, string? WriteOffReasonCode = null);

/// <summary>A charge deducted from a payment (financeCharges): a UI-configured cash entry type and an amount.</summary>
internal sealed record FinanceCharge(string EntryType, decimal Amount, string? Description);

internal sealed record TokenInfo(string TenantId, string ClientId, DateTimeOffset ExpiresAt, string Scope);

/// <summary>Outcome of an ERP call: status, JSON body, optional Location path (relative to /visma) and ETag.</summary>
internal sealed record ApiResult(int Status, System.Text.Json.Nodes.JsonNode? Body, string? LocationPath = null, string? ETag = null);

internal readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds);
