using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Junipeer.Connectors.Centra.Dtos;

/// <summary>Reads ids that Centra may send as a string or a number.</summary>
public sealed class FlexibleStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : reader.GetDecimal().ToString(CultureInfo.InvariantCulture),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or number, got {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
            writer.WriteNullValue();
        else
            writer.WriteStringValue(value);
    }
}

public sealed record GraphQlRequest(
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("variables")] IReadOnlyDictionary<string, object> Variables,
    [property: JsonPropertyName("operationName")] string OperationName);

public sealed record GraphQlResponse<TData>
{
    [JsonPropertyName("data")] public TData? Data { get; init; }
    [JsonPropertyName("errors")] public IReadOnlyList<GraphQlError>? Errors { get; init; }
}

public sealed record GraphQlError
{
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("path")] public IReadOnlyList<JsonElement>? Path { get; init; }
    [JsonPropertyName("extensions")] public GraphQlErrorExtensions? Extensions { get; init; }
}

public sealed record GraphQlErrorExtensions
{
    [JsonPropertyName("category")] public string? Category { get; init; }
}

public sealed record OrdersData
{
    [JsonPropertyName("orders")] public IReadOnlyList<CentraOrderDto>? Orders { get; init; }
}

public sealed record CentraMoney
{
    [JsonPropertyName("value")] public decimal? Value { get; init; }
    [JsonPropertyName("currency")] public CentraCurrency? Currency { get; init; }
}

public sealed record CentraCurrency
{
    [JsonPropertyName("code")] public string? Code { get; init; }
}

public sealed record CentraIdName
{
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

public sealed record CentraStore
{
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
}

public sealed record CentraCustomer
{
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("firstName")] public string? FirstName { get; init; }
    [JsonPropertyName("lastName")] public string? LastName { get; init; }
}

public sealed record CentraCountry
{
    [JsonPropertyName("code")] public string? Code { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

public sealed record CentraAddress
{
    [JsonPropertyName("firstName")] public string? FirstName { get; init; }
    [JsonPropertyName("lastName")] public string? LastName { get; init; }
    [JsonPropertyName("companyName")] public string? CompanyName { get; init; }
    [JsonPropertyName("address1")] public string? Address1 { get; init; }
    [JsonPropertyName("address2")] public string? Address2 { get; init; }
    [JsonPropertyName("city")] public string? City { get; init; }
    [JsonPropertyName("zipCode")] public string? ZipCode { get; init; }
    [JsonPropertyName("country")] public CentraCountry? Country { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("phoneNumber")] public string? PhoneNumber { get; init; }
    [JsonPropertyName("vatNumber")] public string? VatNumber { get; init; }
}

public sealed record CentraTotals
{
    [JsonPropertyName("lineValues")] public CentraMoney? LineValues { get; init; }
    [JsonPropertyName("shipping")] public CentraMoney? Shipping { get; init; }
    [JsonPropertyName("discounts")] public CentraMoney? Discounts { get; init; }
    [JsonPropertyName("taxIncluded")] public CentraMoney? TaxIncluded { get; init; }
    [JsonPropertyName("taxAdded")] public CentraMoney? TaxAdded { get; init; }
    [JsonPropertyName("shippingTaxIncluded")] public CentraMoney? ShippingTaxIncluded { get; init; }
    [JsonPropertyName("shippingTaxAdded")] public CentraMoney? ShippingTaxAdded { get; init; }
}

public sealed record CentraProductSize
{
    [JsonPropertyName("SKU")] public string? Sku { get; init; }
}

public sealed record CentraOrderLine
{
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("productNumber")] public string? ProductNumber { get; init; }
    [JsonPropertyName("productName")] public string? ProductName { get; init; }
    [JsonPropertyName("productVariantName")] public string? ProductVariantName { get; init; }
    [JsonPropertyName("size")] public string? Size { get; init; }
    [JsonPropertyName("quantity")] public decimal? Quantity { get; init; }
    [JsonPropertyName("taxPercent")] public decimal? TaxPercent { get; init; }
    [JsonPropertyName("discountPercent")] public decimal? DiscountPercent { get; init; }
    [JsonPropertyName("hasAnyDiscount")] public bool? HasAnyDiscount { get; init; }
    [JsonPropertyName("unitPrice")] public CentraMoney? UnitPrice { get; init; }
    [JsonPropertyName("unitOriginalPrice")] public CentraMoney? UnitOriginalPrice { get; init; }
    [JsonPropertyName("lineValue")] public CentraMoney? LineValue { get; init; }

    /// <summary>Alias in the query: lineValueNet: lineValue(includingTax: false).</summary>
    [JsonPropertyName("lineValueNet")] public CentraMoney? LineValueNet { get; init; }

    [JsonPropertyName("productSize")] public CentraProductSize? ProductSize { get; init; }
}

/// <summary>An entry of discountsApplied; voucherName and code come from the AppliedVoucher interface.</summary>
public sealed record CentraAppliedDiscount
{
    [JsonPropertyName("value")] public CentraMoney? Value { get; init; }
    [JsonPropertyName("date")] public string? Date { get; init; }
    [JsonPropertyName("voucherName")] public string? VoucherName { get; init; }
    [JsonPropertyName("code")] public string? Code { get; init; }
}

public sealed record CentraPaymentHistoryEntry
{
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("createdAt")] public string? CreatedAt { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("entryType")] public string? EntryType { get; init; }
    [JsonPropertyName("externalReference")] public string? ExternalReference { get; init; }
    [JsonPropertyName("value")] public CentraMoney? Value { get; init; }
    [JsonPropertyName("paymentMethod")] public string? PaymentMethod { get; init; }
}

/// <summary>An order as the Integration API returns it (DirectToConsumerOrder or WholesaleOrder).</summary>
public sealed record CentraOrderDto
{
    [JsonPropertyName("__typename")] public string? TypeName { get; init; }
    [JsonPropertyName("id"), JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    [JsonPropertyName("number")] public long? Number { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("isOnHold")] public bool? IsOnHold { get; init; }
    [JsonPropertyName("createdAt")] public string? CreatedAt { get; init; }
    [JsonPropertyName("updatedAt")] public string? UpdatedAt { get; init; }
    [JsonPropertyName("orderDate")] public string? OrderDate { get; init; }
    [JsonPropertyName("store")] public CentraStore? Store { get; init; }
    [JsonPropertyName("market")] public CentraIdName? Market { get; init; }
    [JsonPropertyName("pricelist")] public CentraIdName? Pricelist { get; init; }
    [JsonPropertyName("customer")] public CentraCustomer? Customer { get; init; }
    [JsonPropertyName("account")] public CentraIdName? Account { get; init; }
    [JsonPropertyName("buyer")] public CentraCustomer? Buyer { get; init; }
    [JsonPropertyName("billingAddress")] public CentraAddress? BillingAddress { get; init; }
    [JsonPropertyName("shippingAddress")] public CentraAddress? ShippingAddress { get; init; }
    [JsonPropertyName("grandTotal")] public CentraMoney? GrandTotal { get; init; }
    [JsonPropertyName("totals")] public CentraTotals? Totals { get; init; }
    [JsonPropertyName("lines")] public IReadOnlyList<CentraOrderLine>? Lines { get; init; }
    [JsonPropertyName("discountsApplied")] public IReadOnlyList<CentraAppliedDiscount>? DiscountsApplied { get; init; }
    [JsonPropertyName("paymentHistory")] public IReadOnlyList<CentraPaymentHistoryEntry>? PaymentHistory { get; init; }
}
