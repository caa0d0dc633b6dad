using System.Text.Json.Serialization;

namespace Junipeer.Connectors.VismaNet.Dtos;

/// <summary>Visma's write wrapper (DtoValueOf...): every scalar and nested object is sent as {"value": x}.</summary>
public sealed record VismaValue<T>([property: JsonPropertyName("value")] T Value);

public static class VismaValue
{
    public static VismaValue<string>? Of(string? value) => value is null ? null : new VismaValue<string>(value);

    public static VismaValue<decimal>? Of(decimal? value) => value is null ? null : new VismaValue<decimal>(value.Value);

    public static VismaValue<bool>? Of(bool? value) => value is null ? null : new VismaValue<bool>(value.Value);

    public static VismaValue<T>? OfObject<T>(T? value)
        where T : class => value is null ? null : new VismaValue<T>(value);
}

/// <summary>POST/PUT /v1/customer. Omit <see cref="Number"/> to use the customer number series.</summary>
public sealed record CustomerUpdateDto
{
    [JsonPropertyName("number")] public VismaValue<string>? Number { get; init; }
    [JsonPropertyName("name")] public VismaValue<string>? Name { get; init; }
    [JsonPropertyName("status")] public VismaValue<string>? Status { get; init; }

    /// <summary>Sent bare (not value-wrapped).</summary>
    [JsonPropertyName("overrideWithClassValues")] public bool? OverrideWithClassValues { get; init; }

    [JsonPropertyName("customerClassId")] public VismaValue<string>? CustomerClassId { get; init; }
    [JsonPropertyName("currencyId")] public VismaValue<string>? CurrencyId { get; init; }
    [JsonPropertyName("vatZoneId")] public VismaValue<string>? VatZoneId { get; init; }
    [JsonPropertyName("vatRegistrationId")] public VismaValue<string>? VatRegistrationId { get; init; }
    [JsonPropertyName("corporateId")] public VismaValue<string>? CorporateId { get; init; }
    [JsonPropertyName("mainAddress")] public VismaValue<AddressUpdateDto>? MainAddress { get; init; }
    [JsonPropertyName("invoiceAddress")] public VismaValue<AddressUpdateDto>? InvoiceAddress { get; init; }
    [JsonPropertyName("mainContact")] public VismaValue<ContactInfoUpdateDto>? MainContact { get; init; }

    /// <summary>Bare array; each line's scalars are wrapped.</summary>
    [JsonPropertyName("attributeLines")] public IReadOnlyList<AttributeLineUpdateDto>? AttributeLines { get; init; }
}

public sealed record AddressUpdateDto
{
    [JsonPropertyName("addressLine1")] public VismaValue<string>? AddressLine1 { get; init; }
    [JsonPropertyName("addressLine2")] public VismaValue<string>? AddressLine2 { get; init; }
    [JsonPropertyName("addressLine3")] public VismaValue<string>? AddressLine3 { get; init; }
    [JsonPropertyName("postalCode")] public VismaValue<string>? PostalCode { get; init; }
    [JsonPropertyName("city")] public VismaValue<string>? City { get; init; }
    [JsonPropertyName("countryId")] public VismaValue<string>? CountryId { get; init; }
}

public sealed record ContactInfoUpdateDto
{
    [JsonPropertyName("name")] public VismaValue<string>? Name { get; init; }
    [JsonPropertyName("email")] public VismaValue<string>? Email { get; init; }
    [JsonPropertyName("phone1")] public VismaValue<string>? Phone1 { get; init; }
}

public sealed record AttributeLineUpdateDto
{
    [JsonPropertyName("attributeId")] public VismaValue<string>? AttributeId { get; init; }
    [JsonPropertyName("attributeValue")] public VismaValue<string>? AttributeValue { get; init; }
}

/// <summary>POST /v2/customerinvoice.</summary>
public sealed record CustomerInvoiceUpdateDto
{
    [JsonPropertyName("customerNumber")] public VismaValue<string>? CustomerNumber { get; init; }

    /// <summary>ISO date, yyyy-MM-dd.</summary>
    [JsonPropertyName("documentDate")] public VismaValue<string>? DocumentDate { get; init; }

    [JsonPropertyName("currencyId")] public VismaValue<string>? CurrencyId { get; init; }
    [JsonPropertyName("customerRefNumber")] public VismaValue<string>? CustomerRefNumber { get; init; }
    [JsonPropertyName("externalReference")] public VismaValue<string>? ExternalReference { get; init; }
    [JsonPropertyName("invoiceText")] public VismaValue<string>? InvoiceText { get; init; }
    [JsonPropertyName("customerVatZoneId")] public VismaValue<string>? CustomerVatZoneId { get; init; }
    [JsonPropertyName("hold")] public VismaValue<bool>? Hold { get; init; }
    [JsonPropertyName("note")] public VismaValue<string>? Note { get; init; }
    [JsonPropertyName("invoiceLines")] public IReadOnlyList<CustomerInvoiceLineUpdateDto>? InvoiceLines { get; init; }
    [JsonPropertyName("taxDetailLines")] public IReadOnlyList<TaxDetailLineUpdateDto>? TaxDetailLines { get; init; }
}

public sealed record CustomerInvoiceLineUpdateDto
{
    /// <summary>Sent bare: "Insert", "Update" or "Delete".</summary>
    [JsonPropertyName("operation")] public string Operation { get; init; } = "Insert";

    [JsonPropertyName("inventoryNumber")] public VismaValue<string>? InventoryNumber { get; init; }
    [JsonPropertyName("description")] public VismaValue<string>? Description { get; init; }
    [JsonPropertyName("quantity")] public VismaValue<decimal>? Quantity { get; init; }
    [JsonPropertyName("unitPriceInCurrency")] public VismaValue<decimal>? UnitPriceInCurrency { get; init; }
    [JsonPropertyName("manualAmountInCurrency")] public VismaValue<decimal>? ManualAmountInCurrency { get; init; }
    [JsonPropertyName("discountAmountInCurrency")] public VismaValue<decimal>? DiscountAmountInCurrency { get; init; }
    [JsonPropertyName("vatCodeId")] public VismaValue<string>? VatCodeId { get; init; }
    [JsonPropertyName("uom")] public VismaValue<string>? Uom { get; init; }
}

public sealed record TaxDetailLineUpdateDto
{
    [JsonPropertyName("taxId")] public VismaValue<string>? TaxId { get; init; }
    [JsonPropertyName("taxableAmount")] public VismaValue<decimal>? TaxableAmount { get; init; }
    [JsonPropertyName("vatAmount")] public VismaValue<decimal>? VatAmount { get; init; }
}

/// <summary>POST /v1/customerPayment (PaymentUpdateDto). Scalars wrapped; <c>paymentLines</c> a bare array.</summary>
public sealed record PaymentUpdateDto
{
    /// <summary>Payment, CreditNote, Prepayment, Refund, VoidPayment, SmallBalanceWo, VoidRefund.</summary>
    [JsonPropertyName("type")] public VismaValue<string>? Type { get; init; }

    [JsonPropertyName("hold")] public VismaValue<bool>? Hold { get; init; }

    /// <summary>ISO date, yyyy-MM-dd.</summary>
    [JsonPropertyName("applicationDate")] public VismaValue<string>? ApplicationDate { get; init; }

    [JsonPropertyName("paymentRef")] public VismaValue<string>? PaymentRef { get; init; }
    [JsonPropertyName("customer")] public VismaValue<string>? Customer { get; init; }
    [JsonPropertyName("paymentMethod")] public VismaValue<string>? PaymentMethod { get; init; }
    [JsonPropertyName("cashAccount")] public VismaValue<string>? CashAccount { get; init; }
    [JsonPropertyName("currency")] public VismaValue<string>? Currency { get; init; }
    [JsonPropertyName("paymentAmount")] public VismaValue<decimal>? PaymentAmount { get; init; }
    [JsonPropertyName("invoiceText")] public VismaValue<string>? InvoiceText { get; init; }
    [JsonPropertyName("paymentLines")] public IReadOnlyList<PaymentLineUpdateDto>? PaymentLines { get; init; }
    [JsonPropertyName("financeCharges")] public IReadOnlyList<FinanceChargeUpdateDto>? FinanceCharges { get; init; }
}

/// <summary>One application of a payment to a document.</summary>
public sealed record PaymentLineUpdateDto
{
    /// <summary>Sent bare: "Insert", "Update" or "Delete".</summary>
    [JsonPropertyName("operation")] public string Operation { get; init; } = "Insert";

    /// <summary>"Invoice", "CreditNote", … (the enum names, not the UI labels).</summary>
    [JsonPropertyName("documentType")] public VismaValue<string>? DocumentType { get; init; }

    [JsonPropertyName("refNbr")] public VismaValue<string>? RefNbr { get; init; }
    [JsonPropertyName("amountPaid")] public VismaValue<decimal>? AmountPaid { get; init; }

    /// <summary>Part of the document's balance written off (e.g. a PSP fee); needs a reason code.</summary>
    [JsonPropertyName("balanceWriteOff")] public VismaValue<decimal>? BalanceWriteOff { get; init; }

    [JsonPropertyName("writeOffReasonCode")] public VismaValue<string>? WriteOffReasonCode { get; init; }
}

/// <summary>A charge deducted from a payment (financeCharges): a cash entry type and an amount.</summary>
public sealed record FinanceChargeUpdateDto
{
    [JsonPropertyName("operation")] public string Operation { get; init; } = "Insert";
    [JsonPropertyName("entryType")] public VismaValue<string>? EntryType { get; init; }
    [JsonPropertyName("description")] public VismaValue<string>? Description { get; init; }
    [JsonPropertyName("amount")] public VismaValue<decimal>? Amount { get; init; }
}

/// <summary>POST /v1/customerCreditNote (CustomerCreditNoteUpdateDto): lines are <c>lines</c>, the VAT override is <c>taxDetails</c>.</summary>
public sealed record CustomerCreditNoteUpdateDto
{
    [JsonPropertyName("customerNumber")] public VismaValue<string>? CustomerNumber { get; init; }
    [JsonPropertyName("documentDate")] public VismaValue<string>? DocumentDate { get; init; }
    [JsonPropertyName("currencyId")] public VismaValue<string>? CurrencyId { get; init; }
    [JsonPropertyName("customerRefNumber")] public VismaValue<string>? CustomerRefNumber { get; init; }
    [JsonPropertyName("externalReference")] public VismaValue<string>? ExternalReference { get; init; }
    [JsonPropertyName("invoiceText")] public VismaValue<string>? InvoiceText { get; init; }
    [JsonPropertyName("customerVatZoneId")] public VismaValue<string>? CustomerVatZoneId { get; init; }
    [JsonPropertyName("hold")] public VismaValue<bool>? Hold { get; init; }
    [JsonPropertyName("lines")] public IReadOnlyList<CustomerInvoiceLineUpdateDto>? Lines { get; init; }
    [JsonPropertyName("taxDetails")] public IReadOnlyList<TaxDetailLineUpdateDto>? TaxDetails { get; init; }
    [JsonPropertyName("applicationLines")] public IReadOnlyList<ApplicationLineUpdateDto>? ApplicationLines { get; init; }
}

/// <summary>A credit note's application to an open invoice (PaymentLineBaseUpdateDto: no write-off fields).</summary>
public sealed record ApplicationLineUpdateDto
{
    [JsonPropertyName("operation")] public string Operation { get; init; } = "Insert";
    [JsonPropertyName("documentType")] public VismaValue<string>? DocumentType { get; init; }
    [JsonPropertyName("refNbr")] public VismaValue<string>? RefNbr { get; init; }
    [JsonPropertyName("amountPaid")] public VismaValue<decimal>? AmountPaid { get; init; }
}

/// <summary>Body of POST /v1/customerPayment/{paymentNumber}/action/release: <c>{"type":{"value":"Payment"}}</c>.</summary>
public sealed record PaymentReleaseActionDto
{
    [JsonPropertyName("type")] public VismaValue<string>? Type { get; init; }
}
