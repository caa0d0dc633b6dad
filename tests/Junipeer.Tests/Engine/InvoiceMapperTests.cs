using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Vat;
using static Junipeer.Tests.Engine.TestData;

namespace Junipeer.Tests.Engine;

public class InvoiceMapperTests
{
    private static readonly OrderFlowSettings Flow = new();

    /// <summary>What the ERP books: VAT per tax = round(taxable × rate) unless overridden.</summary>
    private static (decimal Total, decimal Vat) ErpTotals(ErpInvoiceDraft d)
    {
        var vat = 0m;
        foreach (var g in d.Lines.GroupBy(l => l.VatCategoryId))
        {
            var tax = Categories.Single(c => c.Id == g.Key).Taxes.Single();
            var taxable = g.Sum(l => l.Amount);
            var o = d.TaxOverrides.SingleOrDefault(t => t.TaxId == tax.TaxId);
            vat += o?.VatAmount ?? Math.Round(taxable * tax.RateOn(d.DocumentDate)!.Value / 100m, 2, MidpointRounding.AwayFromZero);
        }

        return (d.Lines.Sum(l => l.Amount) + vat, vat);
    }

    private static ErpInvoiceDraft MapOrder(ShopOrder order, VatSettings? vat = null)
    {
        var decision = VatEngine.Decide(vat ?? Vat(), new VatInput(order.ShippingAddress.CountryCode!, order.ShippingAddress.ZipCode, order.BillingAddress.CompanyName is not null, order.BillingAddress.VatNumber));
        return InvoiceMapper.Map(order, decision, Categories, Flow, "10001");
    }

    [Fact]
    public void Domestic_order_books_the_shops_total_and_vat_to_the_cent_with_an_override_when_rounding_differs()
    {
        // Seven lines at 10.01 incl. 25 %: net 8.01 and VAT 2.00 each. The shop's VAT is 7 × 2.00 + 9.80
        // shipping = 23.80; the ERP would compute round(95.27 × 25 %) = 23.82.
        var order = Order("SE", [Line("A", 1, 10.01m, 25), Line("B", 1, 10.01m, 25), Line("C", 1, 10.01m, 25), Line("D", 1, 10.01m, 25),
            Line("E", 1, 10.01m, 25), Line("F", 1, 10.01m, 25), Line("G", 1, 10.01m, 25)], Shipping(49m, 25));
        var draft = MapOrder(order);

        Assert.Equal("SE", draft.VatZoneId);
        Assert.Equal("CENTRA-1001", draft.Reference);
        Assert.Equal(8, draft.Lines.Count);
        Assert.Equal("SHIPPING", draft.Lines[^1].ArticleNumber);
        Assert.All(draft.Lines, l => Assert.Equal("SE25", l.VatCategoryId));
        var (total, vat) = ErpTotals(draft);
        Assert.Equal(order.GrandTotal, total);
        Assert.Equal(order.VatTotal, vat);
        Assert.Equal(23.80m, order.VatTotal);
        var o = Assert.Single(draft.TaxOverrides);
        Assert.Equal("SE25", o.TaxId);
        Assert.Equal(order.VatTotal, o.VatAmount);
    }

    [Fact]
    public void No_override_when_the_erp_computes_the_same_vat()
    {
        var order = Order("SE", [Line("A", 2, 125m, 25)]);
        var draft = MapOrder(order);
        Assert.Empty(draft.TaxOverrides);
        Assert.Equal((order.GrandTotal, order.VatTotal), ErpTotals(draft));
    }

    [Fact]
    public void Line_discounts_keep_price_and_discount_on_the_line()
    {
        var order = Order("DE", [Line("SHIRT", 2, 59.95m, 19, discountGross: 12m)], Shipping(4.90m, 19), currency: "EUR");
        var draft = MapOrder(order);
        var shirt = draft.Lines[0];
        Assert.Equal("DE19", shirt.VatCategoryId);
        Assert.Equal(order.Lines[0].ValueNet, shirt.Amount);
        Assert.Equal(order.Lines[0].OriginalValueNet - order.Lines[0].ValueNet, shirt.DiscountAmount);
        Assert.True(shirt.DiscountAmount > 0);
        Assert.Equal("EUR", draft.CurrencyId);
        Assert.Equal((order.GrandTotal, order.VatTotal), ErpTotals(draft));
    }

    [Fact]
    public void Order_level_voucher_becomes_negative_discount_lines_per_rate()
    {
        var lines = new[] { Line("BOOK", 1, 200m, 6), Line("MUG", 2, 150m, 25) };
        ShopDiscount[] vouchers = [new("Spring", "SPRING20", 25, 48m, 60m), new("Spring", "SPRING20", 6, 37.74m, 40m)];
        var order = Order("SE", lines, Shipping(49m, 25), vouchers);
        var draft = MapOrder(order);
        var discounts = draft.Lines.Where(l => l.ArticleNumber == "DISCOUNT").ToList();
        Assert.Equal(2, discounts.Count);
        Assert.All(discounts, d => Assert.True(d.Amount < 0));
        Assert.Contains(discounts, d => d.VatCategoryId == "SE06" && d.Amount == -37.74m);
        Assert.Contains("SPRING20", discounts[0].Description, StringComparison.Ordinal);
        Assert.Equal((order.GrandTotal, order.VatTotal), ErpTotals(draft));
    }

    [Fact]
    public void Gift_certificate_is_payment_not_discount()
    {
        var order = Order("SE", [Line("A", 1, 500m, 25)]) with { Payments = [new ShopPayment(ShopPaymentKinds.GiftCertificate, "gift_certificate", "GC-1", 200m)] };
        var draft = MapOrder(order);
        Assert.DoesNotContain(draft.Lines, l => l.Amount < 0);
        Assert.Equal((500m, 100m), ErpTotals(draft));
        Assert.Contains("gift certificate", draft.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Reverse_charge_order_with_vat_fails_with_ORDER_VAT_TREATMENT_MISMATCH()
    {
        var order = Order("DE", [Line("A", 1, 119m, 19)], vatNumber: "DE123456789", company: "GmbH");
        Assert.Equal(ErrorCodes.OrderVatTreatmentMismatch, Assert.Throws<JunipeerException>(() => MapOrder(order)).Code);
    }

    [Fact]
    public void Reverse_charge_and_export_at_zero_rate_map_to_their_categories()
    {
        var b2b = Order("DE", [Line("A", 3, 100m, 0)], Shipping(10m, 0), vatNumber: "DE123456789", company: "GmbH", currency: "EUR");
        var d1 = MapOrder(b2b);
        Assert.Equal("EUB2B", d1.VatZoneId);
        Assert.All(d1.Lines, l => Assert.Equal("RC0", l.VatCategoryId));
        Assert.Contains("Reverse charge", d1.Note, StringComparison.Ordinal);
        Assert.Equal((310m, 0m), ErpTotals(d1));

        var export = Order("US", [Line("A", 1, 80m, 0)], currency: "USD");
        var d2 = MapOrder(export);
        Assert.Equal("EXPORT", d2.VatZoneId);
        Assert.Equal("EXP0", d2.Lines[0].VatCategoryId);
    }

    [Fact]
    public void Unmapped_rate_fails_with_VAT_CATEGORY_FOR_RATE_MISSING()
    {
        var order = Order("DE", [Line("A", 1, 116m, 16)], currency: "EUR");
        Assert.Equal(ErrorCodes.VatCategoryForRateMissing, Assert.Throws<JunipeerException>(() => MapOrder(order)).Code);
    }

    [Fact]
    public void Category_with_another_rate_in_the_erp_fails_with_VAT_CATEGORY_RATE_MISMATCH()
    {
        var vat = Vat() with { Countries = new Dictionary<string, VatMapping> { ["DE"] = Map("DE", null, ("19", "DE07")) } };
        var order = Order("DE", [Line("A", 1, 119m, 19)], currency: "EUR");
        Assert.Equal(ErrorCodes.VatCategoryRateMismatch, Assert.Throws<JunipeerException>(() => MapOrder(order, vat)).Code);
    }

    [Fact]
    public void Rates_are_effective_dated_by_the_tax_point()
    {
        var after = Order("FI", [Line("A", 1, 125.50m, 25.5m)], currency: "EUR");
        Assert.Equal((after.GrandTotal, after.VatTotal), ErpTotals(MapOrder(after)));

        var before = Order("FI", [Line("A", 1, 124m, 25.5m)], currency: "EUR") with { OrderDate = new DateTimeOffset(2024, 8, 1, 0, 0, 0, TimeSpan.Zero) };
        Assert.Equal(ErrorCodes.VatCategoryRateMismatch, Assert.Throws<JunipeerException>(() => MapOrder(before)).Code);
    }

    [Fact]
    public void Inconsistent_order_totals_fail_with_ORDER_TOTALS_INCONSISTENT()
    {
        var order = Order("SE", [Line("A", 1, 100m, 25)]) with { GrandTotal = 90m };
        Assert.Equal(ErrorCodes.OrderTotalsInconsistent, Assert.Throws<JunipeerException>(() => MapOrder(order)).Code);
    }

    [Fact]
    public void A_cent_of_order_level_rounding_is_absorbed_and_the_gross_kept()
    {
        var lines = new[] { Line("A", 1, 33.33m, 25), Line("B", 1, 33.33m, 25), Line("C", 1, 33.34m, 25) };
        var lineVat = lines.Sum(l => l.ValueGross - l.ValueNet);
        var order = Order("SE", lines, vatTotalOverride: lineVat + 0.01m);
        var draft = MapOrder(order);
        Assert.Equal((order.GrandTotal, order.VatTotal), ErpTotals(draft));
    }

    [Fact]
    public void Random_orders_always_match_to_the_cent()
    {
        var random = new Random(20261125);
        var rates = new[] { 25m, 12m, 6m };
        for (var i = 0; i < 500; i++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 12))
                .Select(n => Line($"S{n}", random.Next(1, 5), random.Next(100, 99999) / 100m, rates[random.Next(rates.Length)]))
                .ToList();
            var order = Order("SE", lines, random.Next(2) == 0 ? null : Shipping(random.Next(0, 9900) / 100m, 25));
            var draft = MapOrder(order);
            Assert.Equal((order.GrandTotal, order.VatTotal), ErpTotals(draft));
        }
    }
}
