using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;

namespace Junipeer.Tests.Engine;

/// <summary>Settings and orders for pure tests: a Swedish seller with OSS mappings for DE, FR, FI, EL, XI.</summary>
public static class TestData
{
    public static VatMapping Map(string zone, string? cls, params (string Rate, string Category)[] cats) => VatMapping.Of(zone, cls, cats);

    public static VatSettings Vat(bool destination = true) => new()
    {
        SellerCountry = "SE",
        EuB2CDestinationVat = destination,
        Domestic = Map("SE", "DOMESTIC", ("25", "SE25"), ("12", "SE12"), ("6", "SE06")),
        EuB2BReverseCharge = Map("EUB2B", "EUB2B", ("0", "RC0")),
        Export = Map("EXPORT", "EXPORT", ("0", "EXP0")),
        EuB2CCustomerClassId = "EUB2C",
        Countries = new Dictionary<string, VatMapping>
        {
            ["DE"] = Map("DE", null, ("19", "DE19"), ("7", "DE07")),
            ["FR"] = Map("FR", null, ("20", "FR20")),
            ["FI"] = Map("FI", null, ("25.5", "FI255")),
            ["GR"] = Map("GR", null, ("24", "GR24")),
            ["XI"] = Map("XI", null, ("20", "XI20")),
        },
    };

    public static IReadOnlyList<ErpVatCategory> Categories { get; } =
    [
        Cat("SE25", "SE25", 25m), Cat("SE12", "SE12", 12m), Cat("SE06", "SE06", 6m),
        Cat("DE19", "DE19", 19m), Cat("DE07", "DE07", 7m), Cat("FR20", "FR20", 20m),
        new("FI255", null, [new ErpVatCategoryTax("FI", [new ErpVatRate(null, 24m), new ErpVatRate(new DateOnly(2024, 9, 1), 25.5m)])]),
        Cat("GR24", "GR24", 24m), Cat("XI20", "XI20", 20m), Cat("RC0", "RC", 0m), Cat("EXP0", "EXP", 0m),
    ];

    private static ErpVatCategory Cat(string id, string tax, decimal rate) => new(id, null, [new ErpVatCategoryTax(tax, [new ErpVatRate(null, rate)])]);

    public static ShopOrderLine Line(string sku, decimal qty, decimal grossEach, decimal rate, decimal discountGross = 0)
    {
        var originalGross = qty * grossEach;
        var gross = originalGross - discountGross;
        var net = Math.Round(gross / (1 + rate / 100), 2, MidpointRounding.AwayFromZero);
        var originalNet = Math.Round(originalGross / (1 + rate / 100), 2, MidpointRounding.AwayFromZero);
        return new ShopOrderLine
        {
            LineId = sku,
            Sku = sku,
            Description = sku,
            Quantity = qty,
            TaxPercent = rate,
            ValueGross = gross,
            ValueNet = net,
            OriginalValueGross = originalGross,
            OriginalValueNet = originalNet,
        };
    }

    /// <summary>A VAT-inclusive order whose totals are computed like the shop does (sum of line VAT).</summary>
    public static ShopOrder Order(string country, IReadOnlyList<ShopOrderLine> lines, ShopShipping? shipping = null,
        IReadOnlyList<ShopDiscount>? discounts = null, string currency = "SEK", string? vatNumber = null, string? company = null,
        string? zip = null, decimal? vatTotalOverride = null)
    {
        discounts ??= [];
        var gross = lines.Sum(l => l.ValueGross) + (shipping?.Gross ?? 0) - discounts.Sum(d => d.Gross);
        var vat = lines.Sum(l => l.ValueGross - l.ValueNet) + (shipping is null ? 0 : shipping.Gross - shipping.Net) - discounts.Sum(d => d.Gross - d.Net);
        var address = new ShopAddress { FirstName = "Anna", LastName = "Berg", CountryCode = country, ZipCode = zip ?? "12345", VatNumber = vatNumber, CompanyName = company, Email = "anna@example.com" };
        return new ShopOrder
        {
            OrderNumber = "1001",
            ShopOrderId = "abc",
            Status = "CONFIRMED",
            OrderDate = new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero),
            Currency = currency,
            PricesIncludeVat = true,
            Customer = new ShopCustomer("c-1", "anna@example.com", "Anna", "Berg"),
            BillingAddress = address,
            ShippingAddress = address,
            Lines = lines,
            Shipping = shipping,
            OrderDiscounts = discounts,
            GrandTotal = gross,
            VatTotal = vatTotalOverride ?? vat,
        };
    }

    public static ShopShipping Shipping(decimal gross, decimal rate) =>
        new("Standard", Math.Round(gross / (1 + rate / 100), 2, MidpointRounding.AwayFromZero), gross, rate);
}
