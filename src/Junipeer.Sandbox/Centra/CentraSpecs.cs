namespace Junipeer.Sandbox.Centra;

/// <summary>
/// Input for seeding a Centra order (<c>POST /_sandbox/centra/orders</c> or <see cref="CentraState.AddOrder"/>).
/// Money inputs are in the store's price mode: gross (VAT included) when <see cref="PricesIncludeVat"/>, else net.
/// The emulator computes every Centra amount from these (see docs/sandbox-contract.md, Centra money).
/// </summary>
public sealed class CentraOrderSpec
{
    /// <summary>Order number; null picks the next free one (starting at 1001).</summary>
    public int? Number { get; set; }

    /// <summary>Order id hash; null derives one from the number.</summary>
    public string? Id { get; set; }

    /// <summary>PENDING | CONFIRMED | PROCESSING | SHIPPED | ARCHIVED | CANCELLED.</summary>
    public string Status { get; set; } = "CONFIRMED";

    public bool IsOnHold { get; set; }

    /// <summary>DTC or WHOLESALE.</summary>
    public string StoreType { get; set; } = "DTC";

    public bool PricesIncludeVat { get; set; } = true;

    public string Currency { get; set; } = "SEK";

    public int StoreId { get; set; } = 1;

    public int MarketId { get; set; } = 1;

    public string MarketName { get; set; } = "Sweden";

    public int PricelistId { get; set; } = 1;

    public string PricelistName { get; set; } = "SEK";

    /// <summary>Defaults to the sandbox clock.</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>Defaults to <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? UpdatedAt { get; set; }

    public DateTimeOffset? OrderDate { get; set; }

    /// <summary>DTC customer.</summary>
    public CentraCustomerSpec? Customer { get; set; }

    /// <summary>Wholesale account.</summary>
    public CentraAccountSpec? Account { get; set; }

    /// <summary>Wholesale buyer.</summary>
    public CentraBuyerSpec? Buyer { get; set; }

    public CentraAddressSpec? BillingAddress { get; set; }

    public CentraAddressSpec? ShippingAddress { get; set; }

    public List<CentraLineSpec> Lines { get; set; } = [];

    /// <summary>Shipping price (price mode); taxed at the highest line rate.</summary>
    public decimal Shipping { get; set; }

    /// <summary>Optional order-level voucher (amount in price mode, positive).</summary>
    public CentraVoucherSpec? Voucher { get; set; }

    /// <summary>Part of the grand total paid with a gift certificate (a payment, not a discount).</summary>
    public decimal GiftCertificate { get; set; }

    public string PaymentMethod { get; set; } = "adyen_cc";

    public string? PspReference { get; set; }
}

public sealed class CentraCustomerSpec
{
    public int Id { get; set; } = 1;

    public string? Email { get; set; }

    public string? FirstName { get; set; }

    public string? LastName { get; set; }
}

public sealed class CentraAccountSpec
{
    public int Id { get; set; } = 1;

    public string? Name { get; set; }
}

public sealed class CentraBuyerSpec
{
    public int Id { get; set; } = 1;

    public string? Email { get; set; }
}

public sealed class CentraAddressSpec
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? CompanyName { get; set; }

    public string? Address1 { get; set; }

    public string? Address2 { get; set; }

    public string? City { get; set; }

    public string? ZipCode { get; set; }

    /// <summary>ISO country code, e.g. "SE".</summary>
    public string? Country { get; set; }

    public string? Email { get; set; }

    public string? PhoneNumber { get; set; }

    public string? VatNumber { get; set; }
}

public sealed class CentraLineSpec
{
    public string ProductNumber { get; set; } = "P1";

    public string ProductName { get; set; } = "Product";

    public string ProductVariantName { get; set; } = "";

    public string Size { get; set; } = "";

    /// <summary>Full SKU (productSize.SKU); defaults to productNumber + size.</summary>
    public string? Sku { get; set; }

    public int Quantity { get; set; } = 1;

    /// <summary>Unit price before the line discount, in the order's price mode (gross or net).</summary>
    public decimal UnitPrice { get; set; }

    public decimal TaxPercent { get; set; }

    /// <summary>Line discount in percent of the unit price (the discounted unit price is rounded to the cent).</summary>
    public decimal DiscountPercent { get; set; }
}

public sealed class CentraVoucherSpec
{
    public string Code { get; set; } = "VOUCHER";

    public string Name { get; set; } = "Voucher";

    public string Type { get; set; } = "CODE";

    /// <summary>Positive amount taken off the order, in price mode.</summary>
    public decimal Amount { get; set; }
}

/// <summary>Ground truth about one seeded Centra order, with every computed amount.</summary>
public sealed record CentraOrderSnapshot(
    int Number,
    string Id,
    string Status,
    bool IsOnHold,
    string StoreType,
    bool PricesIncludeVat,
    string Currency,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    decimal LineValues,
    decimal Shipping,
    decimal ShippingVat,
    decimal VoucherAmount,
    decimal TotalVat,
    decimal TotalNet,
    decimal GrandTotal,
    decimal GiftCertificate,
    IReadOnlyList<CentraLineSnapshot> Lines,
    IReadOnlyList<CentraVatShare> VatBreakdown);

/// <summary>One computed order line. <see cref="LineValue"/> is in price mode; net/gross/VAT are explicit.</summary>
public sealed record CentraLineSnapshot(
    int LineId,
    string Sku,
    int Quantity,
    decimal TaxPercent,
    decimal UnitOriginalPrice,
    decimal UnitPrice,
    decimal LineValue,
    decimal LineNet,
    decimal LineGross,
    decimal LineVat);

/// <summary>
/// Per VAT rate: lines + shipping (at the highest rate) − the voucher share. Net + Vat = Gross.
/// <see cref="VoucherShare"/> is the voucher part allocated to this rate, in price mode.
/// </summary>
public sealed record CentraVatShare(decimal Rate, decimal Net, decimal Vat, decimal Gross, decimal VoucherShare);
