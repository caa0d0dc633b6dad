using System.Text.Json.Serialization;

namespace Junipeer.Connectors.VismaNet.Dtos;

/// <summary>Paging metadata carried by every item of a list response.</summary>
public sealed record MetadataDto
{
    [JsonPropertyName("totalCount")] public int? TotalCount { get; init; }
    [JsonPropertyName("maxPageSize")] public int? MaxPageSize { get; init; }
}

public sealed record IdDescriptionDto
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
}

public sealed record NumberNameDto
{
    [JsonPropertyName("number")] public string? Number { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

public sealed record AddressDto
{
    [JsonPropertyName("addressLine1")] public string? AddressLine1 { get; init; }
    [JsonPropertyName("addressLine2")] public string? AddressLine2 { get; init; }
    [JsonPropertyName("addressLine3")] public string? AddressLine3 { get; init; }
    [JsonPropertyName("postalCode")] public string? PostalCode { get; init; }
    [JsonPropertyName("city")] public string? City { get; init; }
    [JsonPropertyName("country")] public IdNameDto? Country { get; init; }
}

public sealed record IdNameDto
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

public sealed record ContactInfoDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("phone1")] public string? Phone1 { get; init; }
}

public sealed record VatZoneRefDto
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("defaultVatCategory")] public string? DefaultVatCategory { get; init; }
}

public sealed record AttributeDto
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("value")] public string? Value { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
}

/// <summary>GET /v1/customer, /v1/customer/{customerCd} (flat read shape).</summary>
public sealed record CustomerDto
{
    [JsonPropertyName("internalId")] public long? InternalId { get; init; }
    [JsonPropertyName("number")] public string? Number { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("mainAddress")] public AddressDto? MainAddress { get; init; }
    [JsonPropertyName("mainContact")] public ContactInfoDto? MainContact { get; init; }
    [JsonPropertyName("invoiceContact")] public ContactInfoDto? InvoiceContact { get; init; }
    [JsonPropertyName("customerClass")] public IdDescriptionDto? CustomerClass { get; init; }
    [JsonPropertyName("currencyId")] public string? CurrencyId { get; init; }
    [JsonPropertyName("vatRegistrationId")] public string? VatRegistrationId { get; init; }
    [JsonPropertyName("corporateId")] public string? CorporateId { get; init; }
    [JsonPropertyName("vatZone")] public VatZoneRefDto? VatZone { get; init; }
    [JsonPropertyName("attributes")] public IReadOnlyList<AttributeDto>? Attributes { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("createdDateTime")] public string? CreatedDateTime { get; init; }
    [JsonPropertyName("timeStamp")] public string? TimeStamp { get; init; }
    [JsonPropertyName("errorInfo")] public string? ErrorInfo { get; init; }
    [JsonPropertyName("metadata")] public MetadataDto? Metadata { get; init; }
}

public sealed record TaxDetailDto
{
    [JsonPropertyName("taxId")] public string? TaxId { get; init; }
    [JsonPropertyName("vatRate")] public decimal? VatRate { get; init; }
    [JsonPropertyName("taxableAmount")] public decimal? TaxableAmount { get; init; }
    [JsonPropertyName("vatAmount")] public decimal? VatAmount { get; init; }
}

public sealed record CustomerInvoiceLineDto
{
    [JsonPropertyName("lineNumber")] public int? LineNumber { get; init; }
    [JsonPropertyName("inventoryNumber")] public string? InventoryNumber { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("quantity")] public decimal? Quantity { get; init; }
    [JsonPropertyName("unitPriceInCurrency")] public decimal? UnitPriceInCurrency { get; init; }
    [JsonPropertyName("amountInCurrency")] public decimal? AmountInCurrency { get; init; }
    [JsonPropertyName("discountAmountInCurrency")] public decimal? DiscountAmountInCurrency { get; init; }
    [JsonPropertyName("vatCode")] public IdDescriptionDto? VatCode { get; init; }
}

/// <summary>GET /v1/customerinvoice, /v1/customerinvoice/{invoiceNumber} (flat read shape).</summary>
public sealed record CustomerInvoiceDto
{
    [JsonPropertyName("referenceNumber")] public string? ReferenceNumber { get; init; }
    [JsonPropertyName("documentType")] public string? DocumentType { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("hold")] public bool? Hold { get; init; }
    [JsonPropertyName("customer")] public NumberNameDto? Customer { get; init; }
    [JsonPropertyName("documentDate")] public string? DocumentDate { get; init; }
    [JsonPropertyName("currencyId")] public string? CurrencyId { get; init; }
    [JsonPropertyName("amount")] public decimal? Amount { get; init; }
    [JsonPropertyName("amountInCurrency")] public decimal? AmountInCurrency { get; init; }
    [JsonPropertyName("balance")] public decimal? Balance { get; init; }
    [JsonPropertyName("balanceInCurrency")] public decimal? BalanceInCurrency { get; init; }
    [JsonPropertyName("vatTotal")] public decimal? VatTotal { get; init; }
    [JsonPropertyName("vatTotalInCurrency")] public decimal? VatTotalInCurrency { get; init; }
    [JsonPropertyName("vatTaxableTotal")] public decimal? VatTaxableTotal { get; init; }
    [JsonPropertyName("detailTotal")] public decimal? DetailTotal { get; init; }
    [JsonPropertyName("customerRefNumber")] public string? CustomerRefNumber { get; init; }
    [JsonPropertyName("externalReference")] public string? ExternalReference { get; init; }
    [JsonPropertyName("invoiceText")] public string? InvoiceText { get; init; }
    [JsonPropertyName("customerVatZone")] public IdDescriptionDto? CustomerVatZone { get; init; }
    [JsonPropertyName("taxDetails")] public IReadOnlyList<TaxDetailDto>? TaxDetails { get; init; }
    [JsonPropertyName("invoiceLines")] public IReadOnlyList<CustomerInvoiceLineDto>? InvoiceLines { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("createdDateTime")] public string? CreatedDateTime { get; init; }
    [JsonPropertyName("timeStamp")] public string? TimeStamp { get; init; }
    [JsonPropertyName("errorInfo")] public string? ErrorInfo { get; init; }
    [JsonPropertyName("metadata")] public MetadataDto? Metadata { get; init; }
}

/// <summary>GET /v1/vatCategory (VatCategoryDto; not paged, no metadata in the published schema).</summary>
public sealed record VatCategoryDto
{
    [JsonPropertyName("vatCategoryId")] public string? VatCategoryId { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("active")] public bool? Active { get; init; }
    [JsonPropertyName("excludeListedTaxes")] public bool? ExcludeListedTaxes { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("vatCategoryLines")] public IReadOnlyList<VatCategoryLineDto>? VatCategoryLines { get; init; }
}

public sealed record VatCategoryLineDto
{
    [JsonPropertyName("vatId")] public string? VatId { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("calculateOn")] public string? CalculateOn { get; init; }
    [JsonPropertyName("vatRates")] public IReadOnlyList<VatRateDto>? VatRates { get; init; }
}

/// <summary>VatRateLineDto: <c>startDate</c> is the date-time from which the rate is effective.</summary>
public sealed record VatRateDto
{
    [JsonPropertyName("startDate")] public string? StartDate { get; init; }
    [JsonPropertyName("vatRate")] public decimal? VatRate { get; init; }
}

/// <summary>GET /v1/customerPayment, /v1/customerPayment/{paymentNumber} (flat read shape, the fields we use).</summary>
public sealed record PaymentDto
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("refNbr")] public string? RefNbr { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("hold")] public bool? Hold { get; init; }
    [JsonPropertyName("applicationDate")] public string? ApplicationDate { get; init; }
    [JsonPropertyName("paymentRef")] public string? PaymentRef { get; init; }
    [JsonPropertyName("customer")] public NumberNameDto? Customer { get; init; }
    [JsonPropertyName("paymentMethod")] public IdDescriptionDto? PaymentMethod { get; init; }
    [JsonPropertyName("cashAccount")] public string? CashAccount { get; init; }
    [JsonPropertyName("currency")] public string? Currency { get; init; }
    [JsonPropertyName("paymentAmount")] public decimal? PaymentAmount { get; init; }
    [JsonPropertyName("paymentAmountInCurrency")] public decimal? PaymentAmountInCurrency { get; init; }
    [JsonPropertyName("invoiceText")] public string? InvoiceText { get; init; }
    [JsonPropertyName("paymentLines")] public IReadOnlyList<PaymentLineDto>? PaymentLines { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("errorInfo")] public string? ErrorInfo { get; init; }
    [JsonPropertyName("metadata")] public MetadataDto? Metadata { get; init; }
}

public sealed record PaymentLineDto
{
    [JsonPropertyName("documentType")] public string? DocumentType { get; init; }
    [JsonPropertyName("refNbr")] public string? RefNbr { get; init; }
    [JsonPropertyName("amountPaid")] public decimal? AmountPaid { get; init; }
    [JsonPropertyName("balance")] public decimal? Balance { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("currency")] public string? Currency { get; init; }
}

/// <summary>Result of POST .../action/{name}. actionResult: Queued, InProcess, Failed, Done.</summary>
public sealed record ActionResultDto
{
    [JsonPropertyName("actionId")] public string? ActionId { get; init; }
    [JsonPropertyName("actionResult")] public string? ActionResult { get; init; }
    [JsonPropertyName("errorInfo")] public string? ErrorInfo { get; init; }
}

/// <summary>Error body, message shape: {"message":"VismaId: guid. text"}.</summary>
public sealed record VismaMessageErrorDto
{
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>Error body, IPPException shape (auth and context problems).</summary>
public sealed record VismaIppErrorDto
{
    [JsonPropertyName("ExceptionType")] public string? ExceptionType { get; init; }
    [JsonPropertyName("ExceptionMessage")] public string? ExceptionMessage { get; init; }
    [JsonPropertyName("ExceptionFaultCode")] public string? ExceptionFaultCode { get; init; }
    [JsonPropertyName("ExceptionMessageID")] public string? ExceptionMessageId { get; init; }
    [JsonPropertyName("ExceptionDetails")] public string? ExceptionDetails { get; init; }
}

/// <summary>Visma Connect token response.</summary>
public sealed record TokenResponseDto
{
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; init; }
    [JsonPropertyName("token_type")] public string? TokenType { get; init; }
    [JsonPropertyName("scope")] public string? Scope { get; init; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }

    /// <summary>The company the user chose (interactive). Sandbox field; real Visma Connect carries it as the access token's tenant_id claim (VERIFY).</summary>
    [JsonPropertyName("tenant_id")] public string? TenantId { get; init; }
}

/// <summary>Visma Connect token error (OAuth 2.0 shape).</summary>
public sealed record TokenErrorDto
{
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("error_description")] public string? ErrorDescription { get; init; }
}

/// <summary>GET /v1/inventory item (InventoryDto): the fields the stock and catalogue flows read.</summary>
public sealed record InventoryDto
{
    [JsonPropertyName("inventoryNumber")] public string? InventoryNumber { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("attributes")] public IReadOnlyList<AttributeDto>? Attributes { get; init; }
    [JsonPropertyName("warehouseDetails")] public IReadOnlyList<WarehouseDetailDto>? WarehouseDetails { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
    [JsonPropertyName("metadata")] public MetadataDto? Metadata { get; init; }
}

/// <summary>InventoryDto.warehouseDetails[] (WarehouseDetailDto).</summary>
public sealed record WarehouseDetailDto
{
    [JsonPropertyName("warehouse")] public string? Warehouse { get; init; }
    [JsonPropertyName("quantityOnHand")] public decimal? QuantityOnHand { get; init; }
    [JsonPropertyName("available")] public decimal? Available { get; init; }
    [JsonPropertyName("availableForShipment")] public decimal? AvailableForShipment { get; init; }
    [JsonPropertyName("lastModifiedDateTime")] public string? LastModifiedDateTime { get; init; }
}
