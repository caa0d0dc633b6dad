namespace Junipeer.Core.Erp;

/// <summary>A customer to create in the ERP; the ERP numbers it.</summary>
public sealed record ErpCustomerDraft
{
    public required string Name { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public required string CustomerClassId { get; init; }
    public string? VatZoneId { get; init; }
    public string? VatRegistrationId { get; init; }
    public string? CurrencyId { get; init; }
    public string? AddressLine1 { get; init; }
    public string? AddressLine2 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public string? CountryId { get; init; }

    /// <summary>Optional ERP attribute that stores the shop's customer id (e.g. CENTRAID).</summary>
    public string? ExternalIdAttribute { get; init; }
    public string? ExternalId { get; init; }

    /// <summary>
    /// Deterministic per-buyer lookup key (see <see cref="IErpCustomers.FindCustomersByKeyAsync"/>):
    /// stored in the customer attribute named by Orders.CustomerExternalIdAttribute when set,
    /// otherwise in the customer's corporate id.
    /// </summary>
    public string? LookupKey { get; init; }
}

public sealed record ErpCustomerRef(string Number, string Name, string? Email);

/// <summary>An invoice to create: ERP-neutral, amounts net of VAT in the document currency.</summary>
public sealed record ErpInvoiceDraft
{
    public required string CustomerNumber { get; init; }
    public required DateOnly DocumentDate { get; init; }
    public required string CurrencyId { get; init; }

    /// <summary>Deterministic, searchable reference (the shop order number with a prefix).</summary>
    public required string Reference { get; init; }
    public required string InvoiceText { get; init; }
    public required string VatZoneId { get; init; }
    public string? Note { get; init; }
    public required IReadOnlyList<ErpInvoiceLine> Lines { get; init; }

    /// <summary>VAT amounts per tax that must be booked exactly (rounding to the shop's cent).</summary>
    public IReadOnlyList<ErpTaxOverride> TaxOverrides { get; init; } = [];

    /// <summary>What the mapper expects the ERP to compute; used for verification and reports.</summary>
    public required decimal ExpectedNetTotal { get; init; }
    public required decimal ExpectedVatTotal { get; init; }
}

public sealed record ErpInvoiceLine
{
    public required string ArticleNumber { get; init; }
    public required string Description { get; init; }
    public required decimal Quantity { get; init; }

    /// <summary>Net unit price before the line discount.</summary>
    public required decimal UnitPrice { get; init; }

    /// <summary>Net discount on the line (positive).</summary>
    public decimal DiscountAmount { get; init; }

    /// <summary>Exact net line amount after discount; what the ERP must book.</summary>
    public required decimal Amount { get; init; }
    public required string VatCategoryId { get; init; }
}

public sealed record ErpTaxOverride(string TaxId, decimal TaxableAmount, decimal VatAmount);

/// <summary>An invoice as the ERP reports it; <see cref="Status"/> is the ERP's own word (Visma: Hold, Balanced, Open, Closed, …).</summary>
public sealed record ErpInvoiceRef(string Number, string Status, decimal Amount, decimal VatTotal, string? Reference)
{
    /// <summary>When the ERP last changed the invoice (Visma's lastModifiedDateTime), when reported.</summary>
    public DateTimeOffset? LastModified { get; init; }
}

/// <summary>A VAT category with the taxes it carries and their effective-dated rates.</summary>
public sealed record ErpVatCategory(string Id, string? Description, IReadOnlyList<ErpVatCategoryTax> Taxes);

public sealed record ErpVatCategoryTax(string TaxId, IReadOnlyList<ErpVatRate> Rates)
{
    /// <summary>The rate in force on <paramref name="date"/> (latest effective date not after it).</summary>
    public decimal? RateOn(DateOnly date) =>
        Rates.Where(r => r.EffectiveFrom is null || r.EffectiveFrom <= date)
             .OrderByDescending(r => r.EffectiveFrom ?? DateOnly.MinValue)
             .Select(r => (decimal?)r.Rate)
             .FirstOrDefault();
}

public sealed record ErpVatRate(DateOnly? EffectiveFrom, decimal Rate);

/// <summary>A customer payment to create and apply to one invoice (e.g. the gift-certificate part of an order).</summary>
public sealed record ErpPaymentDraft
{
    public required string CustomerNumber { get; init; }
    public required DateOnly Date { get; init; }
    public required string CurrencyId { get; init; }

    /// <summary>Deterministic, searchable payment reference (e.g. GC-CENTRA-1001).</summary>
    public required string Reference { get; init; }
    public required string PaymentMethodId { get; init; }
    public required string CashAccount { get; init; }

    /// <summary>Amount paid and applied to <see cref="InvoiceNumber"/>, in the document currency.</summary>
    public required decimal Amount { get; init; }
    public required string InvoiceNumber { get; init; }
    public string? Text { get; init; }
}

/// <summary>A customer payment as the ERP reports it; <see cref="Reference"/> is the payment reference.</summary>
public sealed record ErpPaymentRef(string Number, string Status, string? Reference, decimal Amount);
