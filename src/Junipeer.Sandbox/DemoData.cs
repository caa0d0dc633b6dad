using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Sandbox;

/// <summary>Ready-made seed data for demos and tests.</summary>
public static class DemoData
{
    /// <summary>
    /// A Swedish company: taxes SE25/SE12/SE06 and DE19 (with the 2020 H2 cut to 16%), zones SE (Swedish
    /// taxes), DE (DE19) and EXPORT (none); categories "1" standard = {SE25, DE19}, "2" = {SE12},
    /// "3" = {SE06}, "EXEMPT" = {}; classes WEB and B2B (zone SE), EU (zone DE). Stock item "STOCK-1".
    /// Payment methods CARD and GIFTCARD; cash accounts 1930 (bank) and 2420 (gift-card liability).
    /// </summary>
    public static VismaCompanySpec SwedishCompany(string tenantId, string clientId = "isv_junipeer", string clientSecret = "sandbox-secret") => new()
    {
        TenantId = tenantId,
        ClientId = clientId,
        ClientSecret = clientSecret,
        Name = "Sandbox Retail AB",
        BaseCurrency = "SEK",
        Taxes =
        [
            new() { Id = "SE25", Description = "Utgående moms 25%", Rates = [new() { EffectiveDate = new(2000, 1, 1), Rate = 25m }] },
            new() { Id = "SE12", Description = "Utgående moms 12%", Rates = [new() { EffectiveDate = new(2000, 1, 1), Rate = 12m }] },
            new() { Id = "SE06", Description = "Utgående moms 6%", Rates = [new() { EffectiveDate = new(2000, 1, 1), Rate = 6m }] },
            new()
            {
                Id = "DE19",
                Description = "Umsatzsteuer 19% (OSS)",
                Rates =
                [
                    new() { EffectiveDate = new(2007, 1, 1), Rate = 19m },
                    new() { EffectiveDate = new(2020, 7, 1), Rate = 16m },
                    new() { EffectiveDate = new(2021, 1, 1), Rate = 19m },
                ],
            },
        ],
        VatZones =
        [
            new() { Id = "SE", Description = "Sverige", DefaultVatCategory = "1", TaxIds = ["SE25", "SE12", "SE06"] },
            new() { Id = "DE", Description = "Tyskland (OSS)", DefaultVatCategory = "1", TaxIds = ["DE19"] },
            new() { Id = "EXPORT", Description = "Export", DefaultVatCategory = "EXEMPT", TaxIds = [] },
        ],
        VatCategories =
        [
            new() { Id = "1", Description = "Standard rate", TaxIds = ["SE25", "DE19"] },
            new() { Id = "2", Description = "Reduced 12%", TaxIds = ["SE12"] },
            new() { Id = "3", Description = "Reduced 6%", TaxIds = ["SE06"] },
            new() { Id = "EXEMPT", Description = "Exempt", TaxIds = [] },
        ],
        CustomerClasses =
        [
            new() { Id = "WEB", Description = "Webshop customers", TaxZoneId = "SE", PaymentMethodId = "CARD" },
            new() { Id = "B2B", Description = "Wholesale customers", TaxZoneId = "SE", PaymentMethodId = "INVOICE" },
            new() { Id = "EU", Description = "EU consumers (OSS)", TaxZoneId = "DE", PaymentMethodId = "CARD" },
        ],
        StockItems = ["STOCK-1"],
        PaymentMethods =
        [
            new() { Id = "CARD", Description = "Card (PSP)" },
            new() { Id = "GIFTCARD", Description = "Gift certificate" },
        ],
        CashAccounts = ["1930", "2420"],
    };

    /// <summary>A VAT-inclusive Swedish DTC order: two 25% lines, one 12% line, shipping 49, a 100 SEK voucher.</summary>
    public static CentraOrderSpec SwedishOrder(int number) => new()
    {
        Number = number,
        Status = "CONFIRMED",
        StoreType = "DTC",
        PricesIncludeVat = true,
        Currency = "SEK",
        Customer = new() { Id = number, Email = $"shopper{number}@example.com", FirstName = "Anna", LastName = "Berg" },
        BillingAddress = new() { FirstName = "Anna", LastName = "Berg", Address1 = "Storgatan 1", City = "Stockholm", ZipCode = "11122", Country = "SE", Email = $"shopper{number}@example.com" },
        Lines =
        [
            new() { ProductNumber = "SHIRT", ProductName = "Shirt", ProductVariantName = "Blue", Size = "M", Sku = "SHIRT-BLUE-M", Quantity = 2, UnitPrice = 299m, TaxPercent = 25m },
            new() { ProductNumber = "BOOK", ProductName = "Book", Size = "", Sku = "BOOK-1", Quantity = 1, UnitPrice = 199m, TaxPercent = 12m },
        ],
        Shipping = 49m,
        Voucher = new() { Code = "SPRING", Name = "Spring sale", Amount = 100m },
    };
}
