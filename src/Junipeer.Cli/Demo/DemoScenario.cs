using Junipeer.Core.Integrations;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <summary>
/// The demo merchant: a Swedish seller over the OSS threshold, with a Visma.net company set up the
/// way the seed guide describes (customer classes per VAT case, a VAT zone per OSS country and a VAT
/// category per rate), and a Centra store selling domestically, to EU consumers and businesses,
/// and exporting to Norway and the US. Italy is deliberately left unmapped.
/// </summary>
public static partial class DemoScenario
{
    public const string IntegrationId = "demo-se";
    public const string CompanyTenantId = "6f1d2b7e-3c41-4a52-9b0e-1c2d3e4f5a6b";
    public const string ClientId = "isv_junipeer_demo";
    public const string ClientSecret = "demo-client-secret";
    // Secret names start with the integration id's letters and digits (they are scoped to it).
    public const string VismaSecretName = "demoseVismaClientSecret";
    public const string CentraTokenSecretName = "demoseCentraToken";
    public const string WebhookSecretName = "demoseCentraWebhookSecret";

    public static string VismaSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "VismaClientSecret";
    public static string CentraTokenSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "CentraToken";
    public static string WebhookSecretNameFor(string id) => IntegrationValidator.SecretScope(id) + "CentraWebhookSecret";

    /// <summary>Payment method and cash account (gift-card liability) of gift-certificate payments.</summary>
    public const string GiftCardPaymentMethod = "GIFTCARD";
    public const string GiftCardCashAccount = "2420";

    /// <summary>Payouts: the Visma reason code (usage Balance write-off) PSP fees are written off with, and its limit per line.</summary>
    public const string PspFeeReasonCode = "PSPFEE";
    public const decimal PspFeeWriteOffLimit = 500m;
    public const string PspFeeChargeEntryType = "BANKFEE";
    public const string PspClearingAccount = "1931";

    private static TaxSpec Tax(string id, decimal rate, string description) =>
        new() { Id = id, Description = description, Rates = [new() { EffectiveDate = new(2000, 1, 1), Rate = rate }] };

    public static VismaCompanySpec Company(string tenantId = CompanyTenantId, string clientId = ClientId, string clientSecret = ClientSecret,
        string customerStart = "10000", string customerEnd = "99999") => new()
    {
        TenantId = tenantId,
        ClientId = clientId,
        ClientSecret = clientSecret,
        Name = "Nordic Threads AB",
        BaseCurrency = "SEK",
        CustomerStart = customerStart,
        CustomerEnd = customerEnd,
        Taxes =
        [
            Tax("SE25", 25m, "Utgående moms 25%"), Tax("SE12", 12m, "Utgående moms 12%"), Tax("SE06", 6m, "Utgående moms 6%"),
            Tax("DE19", 19m, "OSS DE 19%"), Tax("DE07", 7m, "OSS DE 7%"), Tax("FR20", 20m, "OSS FR 20%"),
            Tax("NL21", 21m, "OSS NL 21%"), Tax("NL09", 9m, "OSS NL 9%"), Tax("DK25", 25m, "OSS DK 25%"),
            new()
            {
                Id = "FI255",
                Description = "OSS FI standard",
                Rates = [new() { EffectiveDate = new(2013, 1, 1), Rate = 24m }, new() { EffectiveDate = new(2024, 9, 1), Rate = 25.5m }],
            },
        ],
        VatZones =
        [
            new() { Id = "SE", Description = "Sverige", DefaultVatCategory = "SE25", TaxIds = ["SE25", "SE12", "SE06"] },
            new() { Id = "DE", Description = "Tyskland OSS", DefaultVatCategory = "DE19", TaxIds = ["DE19", "DE07"] },
            new() { Id = "FR", Description = "Frankrike OSS", DefaultVatCategory = "FR20", TaxIds = ["FR20"] },
            new() { Id = "NL", Description = "Nederländerna OSS", DefaultVatCategory = "NL21", TaxIds = ["NL21", "NL09"] },
            new() { Id = "FI", Description = "Finland OSS", DefaultVatCategory = "FI255", TaxIds = ["FI255"] },
            new() { Id = "DK", Description = "Danmark OSS", DefaultVatCategory = "DK25", TaxIds = ["DK25"] },
            new() { Id = "EUB2B", Description = "EU omvänd skattskyldighet", DefaultVatCategory = "RC0", TaxIds = [] },
            new() { Id = "EXPORT", Description = "Export", DefaultVatCategory = "EXP0", TaxIds = [] },
        ],
        VatCategories =
        [
            new() { Id = "SE25", Description = "Standard 25%", TaxIds = ["SE25"] },
            new() { Id = "SE12", Description = "Reduced 12%", TaxIds = ["SE12"] },
            new() { Id = "SE06", Description = "Reduced 6%", TaxIds = ["SE06"] },
            new() { Id = "DE19", Description = "DE standard", TaxIds = ["DE19"] },
            new() { Id = "DE07", Description = "DE reduced", TaxIds = ["DE07"] },
            new() { Id = "FR20", Description = "FR standard", TaxIds = ["FR20"] },
            new() { Id = "NL21", Description = "NL standard", TaxIds = ["NL21"] },
            new() { Id = "NL09", Description = "NL reduced", TaxIds = ["NL09"] },
            new() { Id = "FI255", Description = "FI standard", TaxIds = ["FI255"] },
            new() { Id = "DK25", Description = "DK standard", TaxIds = ["DK25"] },
            new() { Id = "RC0", Description = "Reverse charge 0%", TaxIds = [] },
            new() { Id = "EXP0", Description = "Export 0%", TaxIds = [] },
        ],
        CustomerClasses =
        [
            new() { Id = "DOMESTIC", Description = "Domestic customers", TaxZoneId = "SE", PaymentMethodId = "CARD", WriteOffLimit = PspFeeWriteOffLimit },
            new() { Id = "EUB2C", Description = "EU consumers (OSS)", TaxZoneId = "DE", PaymentMethodId = "CARD", WriteOffLimit = PspFeeWriteOffLimit },
            new() { Id = "EUB2B", Description = "EU businesses (reverse charge)", TaxZoneId = "EUB2B", PaymentMethodId = "INVOICE" },
            new() { Id = "EXPORT", Description = "Outside the EU", TaxZoneId = "EXPORT", PaymentMethodId = "CARD", WriteOffLimit = PspFeeWriteOffLimit },
        ],
        PaymentMethods =
        [
            new() { Id = "CARD", Description = "Card (PSP)" },
            new() { Id = "INVOICE", Description = "Invoice" },
            new() { Id = GiftCardPaymentMethod, Description = "Gift certificate" },
            new() { Id = "STRIPE", Description = "Stripe payouts" },
            new() { Id = "ADYEN", Description = "Adyen payouts" },
            new() { Id = "KLARNA", Description = "Klarna payouts" },
        ],
        CashAccounts = ["1930", GiftCardCashAccount, PspClearingAccount],
        WriteOffReasonCodes = [PspFeeReasonCode],
        ChargeEntryTypes = [PspFeeChargeEntryType],
        Warehouses = [new() { Id = "MAIN", Description = "Main warehouse" }, new() { Id = "OUTLET", Description = "Outlet" }],
    };

    private static VatMapping Map(string zone, string? cls, params (string Rate, string Category)[] categories) => VatMapping.Of(zone, cls, categories);

    public static Integration Integration(Uri vismaApiBase, Uri vismaTokenUrl, Uri centraGraphQl, string id = IntegrationId,
        string tenantId = CompanyTenantId, DateTimeOffset? syncFrom = null) => new()
    {
        Id = id,
        Name = "Nordic Threads — Centra → Visma.net (SE company)",
        Erp = new ErpSettings
        {
            Kind = ErpKinds.VismaNet,
            VismaNet = new VismaNetSettings
            {
                CompanyTenantId = tenantId,
                ClientId = ClientId,
                ClientSecretName = VismaSecretNameFor(id),
                ApiBaseUrl = vismaApiBase.ToString().TrimEnd('/'),
                TokenUrl = vismaTokenUrl.ToString(),
            },
        },
        Shop = new ShopSettings
        {
            Centra = new CentraSettings
            {
                GraphQlUrl = centraGraphQl.ToString(),
                TokenSecretName = CentraTokenSecretNameFor(id),
                WebhookSecretName = WebhookSecretNameFor(id),
            },
        },
        Orders = new OrderFlowSettings
        {
            SyncFrom = syncFrom,
            CustomerExternalIdAttribute = null,
            GiftCertificatePayment = new GiftCertificatePaymentSettings { PaymentMethodId = GiftCardPaymentMethod, CashAccount = GiftCardCashAccount },
        },
        Vat = new VatSettings
        {
            SellerCountry = "SE",
            EuB2CDestinationVat = true,
            Domestic = Map("SE", "DOMESTIC", ("25", "SE25"), ("12", "SE12"), ("6", "SE06")),
            EuB2BReverseCharge = Map("EUB2B", "EUB2B", ("0", "RC0")),
            Export = Map("EXPORT", "EXPORT", ("0", "EXP0")),
            EuB2CCustomerClassId = "EUB2C",

            // Where consumers buy (preflight checks each EU one has an OSS mapping): Italy is among them, unmapped.
            SellsTo = ["SE", "DE", "FR", "NL", "FI", "DK", "IT", "NO", "US"],
            Countries = new Dictionary<string, VatMapping>
            {
                ["DE"] = Map("DE", null, ("19", "DE19"), ("7", "DE07")),
                ["FR"] = Map("FR", null, ("20", "FR20")),
                ["NL"] = Map("NL", null, ("21", "NL21"), ("9", "NL09")),
                ["FI"] = Map("FI", null, ("25.5", "FI255")),
                ["DK"] = Map("DK", null, ("25", "DK25")),
            },
        },
    };

    /// <summary>Orders by destination: (country, currency, VAT rates of the goods, B2B, zip, city).</summary>
    private static readonly (string Country, string Currency, decimal[] Rates, string Zip, string City)[] EuB2C =
    [
        ("DE", "EUR", [19m, 7m], "10115", "Berlin"), ("FR", "EUR", [20m], "75001", "Paris"), ("NL", "EUR", [21m, 9m], "1011", "Amsterdam"),
        ("FI", "EUR", [25.5m], "00100", "Helsinki"), ("DK", "EUR", [25m], "1050", "København"),
    ];

    private static readonly string[] B2BVatNumbers = ["DE123456789", "FRXX123456789", "NL123456789B01", "FI12345678", "DK12345678", "ATU12345678", "BE0123456789", "EL123456789"];
    private static readonly string[] B2BCountries = ["DE", "FR", "NL", "FI", "DK", "AT", "BE", "GR"];

    /// <summary>The 64 demo orders (numbers from <paramref name="firstNumber"/>). Deterministic.</summary>
    public static List<CentraOrderSpec> Orders(int firstNumber = 5001, DateTimeOffset? at = null)
    {
        var random = new Random(42);
        var list = new List<CentraOrderSpec>();
        var n = firstNumber;
        decimal Price(decimal min, decimal max) => Math.Round(min + ((decimal)random.NextDouble() * (max - min)), 0) - 0.05m;

        CentraOrderSpec Order(string country, string currency, string email, bool includeVat, string zip, string city, string? company = null, string? vatNumber = null)
        {
            var number = n++;
            var address = new CentraAddressSpec
            {
                FirstName = "Kim", LastName = $"Buyer{number}", CompanyName = company, Address1 = $"Street {number % 97}", City = city,
                ZipCode = zip, Country = country, Email = email, PhoneNumber = "+46700000000", VatNumber = vatNumber,
            };
            return new CentraOrderSpec
            {
                Number = number,
                Status = number % 9 == 0 ? "SHIPPED" : "CONFIRMED",
                StoreType = company is null ? "DTC" : "WHOLESALE",
                PricesIncludeVat = includeVat,
                Currency = currency,
                MarketName = country,
                PricelistName = currency,
                CreatedAt = at,
                Customer = company is null ? new CentraCustomerSpec { Id = number, Email = email, FirstName = "Kim", LastName = $"Buyer{number}" } : null,
                Account = company is null ? null : new CentraAccountSpec { Id = number, Name = company },
                Buyer = company is null ? null : new CentraBuyerSpec { Id = number, Email = email },
                BillingAddress = address,
                ShippingAddress = address,
            };
        }

        // 20 Swedish domestic orders: three rates, line discounts, vouchers, gift certificates, returning customers.
        for (var i = 0; i < 20; i++)
        {
            var o = Order("SE", "SEK", $"anna{i % 14}@example.se", true, "11122", "Stockholm");
            o.Lines.Add(new CentraLineSpec { ProductNumber = "TEE", ProductName = "Organic tee", Size = "M", Sku = $"TEE-{i % 4}-M", Quantity = 1 + (i % 3), UnitPrice = Price(149, 399), TaxPercent = 25m, DiscountPercent = i % 5 == 0 ? 15m : 0m });
            if (i % 2 == 0)
            {
                o.Lines.Add(new CentraLineSpec { ProductNumber = "BOOK", ProductName = "Pattern book", Sku = "BOOK-1", Quantity = 1, UnitPrice = Price(99, 299), TaxPercent = 6m });
            }

            if (i % 3 == 0)
            {
                o.Lines.Add(new CentraLineSpec { ProductNumber = "SNACK", ProductName = "Fika box", Sku = "FIKA-1", Quantity = 2, UnitPrice = Price(49, 89), TaxPercent = 12m });
            }

            o.Shipping = i % 4 == 3 ? 0m : 49m;
            if (i % 4 == 1)
            {
                o.Voucher = new CentraVoucherSpec { Code = "WELCOME100", Name = "Welcome", Amount = 100m };
            }

            if (i % 7 == 2)
            {
                o.GiftCertificate = 150m;
            }

            list.Add(o);
        }

        // 20 EU consumer orders, destination VAT through OSS.
        for (var i = 0; i < 20; i++)
        {
            var d = EuB2C[i % EuB2C.Length];
            var o = Order(d.Country, d.Currency, $"kunde{i}@example.eu", true, d.Zip, d.City);
            o.Lines.Add(new CentraLineSpec { ProductNumber = "HOODIE", ProductName = "Hoodie", Size = "L", Sku = "HOODIE-L", Quantity = 1 + (i % 2), UnitPrice = Price(39, 89), TaxPercent = d.Rates[0], DiscountPercent = i % 6 == 0 ? 10m : 0m });
            if (d.Rates.Length > 1)
            {
                o.Lines.Add(new CentraLineSpec { ProductNumber = "BOOK", ProductName = "Pattern book", Sku = "BOOK-1", Quantity = 1, UnitPrice = Price(12, 29), TaxPercent = d.Rates[1] });
            }

            o.Shipping = 6.90m;
            if (i % 5 == 4)
            {
                o.Voucher = new CentraVoucherSpec { Code = "EU10", Name = "EU launch", Amount = 10m };
            }

            list.Add(o);
        }

        // 8 EU business orders with VAT numbers: wholesale, prices excluding VAT, reverse charge.
        for (var i = 0; i < 8; i++)
        {
            var o = Order(B2BCountries[i], "EUR", $"purchasing{i}@business.eu", false, "10000", "City", $"Retailer {i} GmbH", B2BVatNumbers[i]);
            o.Lines.Add(new CentraLineSpec { ProductNumber = "TEE", ProductName = "Organic tee (wholesale)", Size = "M", Sku = "TEE-0-M", Quantity = 10 * (1 + i), UnitPrice = Price(9, 15), TaxPercent = 0m });
            o.Shipping = 25m;
            list.Add(o);
        }

        // 6 Norway and 6 US exports.
        for (var i = 0; i < 12; i++)
        {
            var no = i < 6;
            var o = Order(no ? "NO" : "US", no ? "NOK" : "USD", $"export{i}@example.com", true, no ? "0150" : "10001", no ? "Oslo" : "New York");
            o.Lines.Add(new CentraLineSpec { ProductNumber = "JACKET", ProductName = "Rain jacket", Size = "S", Sku = "JACKET-S", Quantity = 1, UnitPrice = no ? Price(900, 1900) : Price(90, 190), TaxPercent = 0m });
            o.Shipping = no ? 99m : 15m;
            list.Add(o);
        }

        // 4 Italian consumer orders: Italy has no OSS mapping in the integration (deliberately).
        for (var i = 0; i < 4; i++)
        {
            var o = Order("IT", "EUR", $"cliente{i}@example.it", true, "00100", "Roma");
            o.Lines.Add(new CentraLineSpec { ProductNumber = "HOODIE", ProductName = "Hoodie", Size = "L", Sku = "HOODIE-L", Quantity = 1, UnitPrice = Price(39, 89), TaxPercent = 22m });
            o.Shipping = 6.90m;
            list.Add(o);
        }

        return list;
    }

    /// <summary>The orders the demo expects to fail (Italy, unmapped) — the rest must be invoiced.</summary>
    public static bool ExpectedToFail(CentraOrderSpec order) => order.BillingAddress?.Country == "IT";
}
