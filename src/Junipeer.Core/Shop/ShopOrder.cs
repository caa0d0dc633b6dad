namespace Junipeer.Core.Shop;

/// <summary>
/// A shop order in the shape the engine needs, independent of the shop's API. All money is in the
/// order currency, rounded to the cent by the shop. Net and gross are both given so no VAT has to be
/// re-derived from rates.
/// </summary>
public sealed record ShopOrder
{
    public required string OrderNumber { get; init; }
    public required string ShopOrderId { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset OrderDate { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required string Currency { get; init; }

    /// <summary>True when the store's prices include VAT (gross amounts are what the buyer saw).</summary>
    public required bool PricesIncludeVat { get; init; }

    /// <summary>True for wholesale (B2B) stores.</summary>
    public bool IsWholesale { get; init; }

    /// <summary>The shop's store id (Centra: <c>store.id</c>); used by the ownership filter.</summary>
    public string? StoreId { get; init; }

    public string? MarketId { get; init; }
    public string? MarketName { get; init; }
    public required ShopCustomer Customer { get; init; }
    public required ShopAddress BillingAddress { get; init; }
    public required ShopAddress ShippingAddress { get; init; }
    public required IReadOnlyList<ShopOrderLine> Lines { get; init; }
    public ShopShipping? Shipping { get; init; }

    /// <summary>Order-level discounts (vouchers), each already split per VAT rate.</summary>
    public IReadOnlyList<ShopDiscount> OrderDiscounts { get; init; } = [];

    /// <summary>Payments that are not PSP captures, such as gift certificates.</summary>
    public IReadOnlyList<ShopPayment> Payments { get; init; } = [];

    /// <summary>Successful refunds made in the shop (Centra: paymentHistory entries of type REFUND, status SUCCESS), oldest first.</summary>
    public IReadOnlyList<ShopRefund> Refunds { get; init; } = [];

    public required decimal GrandTotal { get; init; }
    public required decimal VatTotal { get; init; }

    /// <summary>The part of the grand total paid with gift certificates (payment, not discount).</summary>
    public decimal GiftCertificateTotal => Payments.Where(p => p.Kind == ShopPaymentKinds.GiftCertificate).Sum(p => p.Amount);
}

public sealed record ShopCustomer(string? Id, string? Email, string? FirstName, string? LastName);

public sealed record ShopAddress
{
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? CompanyName { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? City { get; init; }
    public string? ZipCode { get; init; }

    /// <summary>ISO 3166-1 alpha-2 country code, upper case.</summary>
    public string? CountryCode { get; init; }

    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? VatNumber { get; init; }
}

/// <summary>One product line. Value = after the line's own discount; Original = before it.</summary>
public sealed record ShopOrderLine
{
    public required string LineId { get; init; }
    public required string Sku { get; init; }
    public required string Description { get; init; }
    public required decimal Quantity { get; init; }
    public required decimal TaxPercent { get; init; }
    public required decimal ValueNet { get; init; }
    public required decimal ValueGross { get; init; }
    public required decimal OriginalValueNet { get; init; }
    public required decimal OriginalValueGross { get; init; }
}

public sealed record ShopShipping(string? Method, decimal Net, decimal Gross, decimal TaxPercent);

/// <summary>An order-level discount share at one VAT rate (positive amounts to deduct).</summary>
public sealed record ShopDiscount(string Name, string? Code, decimal TaxPercent, decimal Net, decimal Gross);

public sealed record ShopPayment(string Kind, string? Method, string? Reference, decimal Amount);

/// <summary>
/// A refund made in the shop: the shop's entry id, the PSP's id of the refund (Centra: the entry's
/// externalReference), the payment method it went through, the amount refunded (positive, gross) and its currency.
/// </summary>
public sealed record ShopRefund(string Id, string? PspReference, string? Method, decimal Amount, string Currency, DateTimeOffset CreatedAt);

public static class ShopPaymentKinds
{
    public const string GiftCertificate = "gift_certificate";
    public const string Psp = "psp";
}

/// <summary>
/// A pointer to an order that changed, from a sweep, with what ownership needs: store, market and
/// shipping country (ISO alpha-2), as the shop reports them (null when unknown).
/// </summary>
public sealed record ShopOrderRef(string OrderNumber, DateTimeOffset UpdatedAt, string? StoreId = null, string? MarketId = null, string? CountryCode = null);

/// <summary>
/// One page of a changed-since read. <see cref="Checkpoint"/> is a safe watermark after this page:
/// every order whose updatedAt is before it has been returned by this or an earlier page, so the sweep
/// may persist it and a crash after this page resumes without losing an order.
/// </summary>
public sealed record ShopOrderPage(IReadOnlyList<ShopOrderRef> Orders, DateTimeOffset Checkpoint);
