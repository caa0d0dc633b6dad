using System.Globalization;
using System.Text.Json;
using Flurl.Http.Testing;
using Junipeer.Connectors.Centra;
using Junipeer.Core.Errors;
using Junipeer.Core.Shop;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Connectors;

public class CentraOrderSourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Money(decimal value) => new { value };

    private static object Address(string country) => new
    {
        firstName = "Anna", lastName = "Berg", companyName = (string?)null, address1 = "Storgatan 1", address2 = (string?)null,
        city = "Stockholm", zipCode = "11122", country = new { code = country, name = "Sweden" }, email = "anna@example.com",
        phoneNumber = "+46700000000", vatNumber = (string?)null,
    };

    /// <summary>A VAT-inclusive DTC order: two rates, shipping, a 100 SEK voucher and a 200 SEK gift certificate.</summary>
    private static object InclusiveOrder() => new
    {
        __typename = "DirectToConsumerOrder",
        id = "1497ccf644db871e1e4026d101bde6f3",
        number = 1001,
        status = "CONFIRMED",
        isOnHold = false,
        createdAt = "2026-05-04T10:15:22+02:00",
        updatedAt = "2026-05-04T10:20:00+02:00",
        orderDate = "2026-05-04T10:15:22+02:00",
        store = new { id = 1, type = "DIRECT_TO_CONSUMER" },
        market = new { id = 3, name = "Sweden" },
        pricelist = new { id = 2, name = "SEK" },
        customer = new { id = 77, email = "anna@example.com", firstName = "Anna", lastName = "Berg" },
        billingAddress = Address("se"),
        shippingAddress = Address("se"),
        grandTotal = new { value = 556m, currency = new { code = "SEK" } },
        totals = new
        {
            lineValues = Money(606m), shipping = Money(50m), discounts = Money(-100m), taxIncluded = Money(98.51m), taxAdded = Money(0m),
            shippingTaxIncluded = Money(10m), shippingTaxAdded = Money(0m),
        },
        lines = new object[]
        {
            new
            {
                id = 1, productNumber = "SH1", productName = "Shirt", productVariantName = "Blue", size = "M", quantity = 2, taxPercent = 25m,
                discountPercent = 16.67m, hasAnyDiscount = true, unitPrice = Money(250m), unitOriginalPrice = Money(300m),
                lineValue = Money(500m), lineValueNet = Money(400m), productSize = new { SKU = "SH1-BLUE-M" },
            },
            new
            {
                id = 2, productNumber = "BK1", productName = "Book", productVariantName = (string?)null, size = (string?)null, quantity = 1, taxPercent = 6m,
                discountPercent = 0m, hasAnyDiscount = false, unitPrice = Money(106m), unitOriginalPrice = Money(106m),
                lineValue = Money(106m), lineValueNet = Money(100m), productSize = new { SKU = "BK1" },
            },
        },
        discountsApplied = new object[]
        {
            new { value = Money(-100m), date = "2026-05-04T10:15:22+02:00", voucherName = "Spring sale", code = "SPRING" },
        },
        paymentHistory = new object[]
        {
            new { id = 8, createdAt = "2026-05-04T10:15:22+02:00", status = "SUCCESS", entryType = "AUTH_GIFT_CARD", externalReference = "GC-1", value = Money(200m), paymentMethod = "Gift card" },
            new { id = 9, createdAt = "2026-05-04T10:15:22+02:00", status = "SUCCESS", entryType = "CAPTURE_GIFT_CARD", externalReference = "GC-1", value = Money(200m), paymentMethod = "Gift card" },
            new { id = 11, createdAt = "2026-05-04T10:15:22+02:00", status = "SUCCESS", entryType = "CAPTURE", externalReference = "PSP-2", value = Money(1m), paymentMethod = "gift_certificate" },
            new { id = 10, createdAt = "2026-05-04T10:15:22+02:00", status = "SUCCESS", entryType = "AUTH", externalReference = "PSP-1", value = Money(356m), paymentMethod = "adyen" },
        },
    };

    private static object Data(params object[] orders) => new { data = new { orders }, extensions = new { complexity = 10 } };

    [Fact]
    public async Task Maps_a_VAT_inclusive_order_with_voucher_split_gift_certificate_and_shipping()
    {
        using var http = new HttpTest();
        http.RespondWithJson(Data(InclusiveOrder()));
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var order = await source.GetOrderAsync(Integration(), "1001", Ct);

        Assert.NotNull(order);
        Assert.Equal("1001", order.OrderNumber);
        Assert.Equal("1497ccf644db871e1e4026d101bde6f3", order.ShopOrderId);
        Assert.Equal("CONFIRMED", order.Status);
        Assert.Equal("SEK", order.Currency);
        Assert.True(order.PricesIncludeVat);
        Assert.False(order.IsWholesale);
        Assert.Equal("3", order.MarketId);
        Assert.Equal(new ShopCustomer("77", "anna@example.com", "Anna", "Berg"), order.Customer);
        Assert.Equal("SE", order.BillingAddress.CountryCode);
        Assert.Equal("SE", order.ShippingAddress.CountryCode);
        Assert.Equal(new DateTimeOffset(2026, 5, 4, 10, 15, 22, TimeSpan.FromHours(2)), order.OrderDate);

        Assert.Equal(2, order.Lines.Count);
        var shirt = order.Lines[0];
        Assert.Equal("SH1-BLUE-M", shirt.Sku);
        Assert.Equal("Shirt - Blue - M", shirt.Description);
        Assert.Equal((2m, 25m, 400m, 500m, 480m, 600m), (shirt.Quantity, shirt.TaxPercent, shirt.ValueNet, shirt.ValueGross, shirt.OriginalValueNet, shirt.OriginalValueGross));
        var book = order.Lines[1];
        Assert.Equal((100m, 106m, 100m, 106m), (book.ValueNet, book.ValueGross, book.OriginalValueNet, book.OriginalValueGross));

        Assert.Equal(new ShopShipping(null, 40m, 50m, 25m), order.Shipping);

        // 100 split by line gross 500 : 106 → 82.51 @25 % and 17.49 @6 %.
        Assert.Equal(
            [new ShopDiscount("Spring sale", "SPRING", 25m, 66.01m, 82.51m), new ShopDiscount("Spring sale", "SPRING", 6m, 16.50m, 17.49m)],
            order.OrderDiscounts.ToArray());

        var gift = Assert.Single(order.Payments);
        Assert.Equal(new ShopPayment(ShopPaymentKinds.GiftCertificate, "Gift card", "GC-1", 200m), gift);
        Assert.Equal(556m, order.GrandTotal);
        Assert.Equal(98.51m, order.VatTotal);

        // The order's own parts add up: lines + shipping − voucher = grand total; same for VAT.
        Assert.Equal(order.GrandTotal, order.Lines.Sum(l => l.ValueGross) + order.Shipping!.Gross - order.OrderDiscounts.Sum(d => d.Gross));
        Assert.Equal(order.VatTotal,
            order.Lines.Sum(l => l.ValueGross - l.ValueNet) + (order.Shipping.Gross - order.Shipping.Net) - order.OrderDiscounts.Sum(d => d.Gross - d.Net));
    }

    [Fact]
    public async Task Sends_the_OrderByNumber_operation_with_bearer_token_and_Int_variable()
    {
        using var http = new HttpTest();
        http.RespondWithJson(Data());
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var order = await source.GetOrderAsync(Integration(), "1001", Ct);

        Assert.Null(order);
        var call = Assert.Single(http.CallLog);
        Assert.Equal(CentraUrl, call.Request.Url.ToString());
        Assert.Equal(HttpMethod.Post, call.Request.Verb);
        Assert.Equal("Bearer centra-token-value", call.Request.Headers.FirstOrDefault("Authorization"));
        using var body = JsonDocument.Parse(call.RequestBody);
        Assert.Equal("OrderByNumber", body.RootElement.GetProperty("operationName").GetString());
        Assert.Equal(1001, body.RootElement.GetProperty("variables").GetProperty("number").GetInt32());
        Assert.Contains("query OrderByNumber($number: Int!)", body.RootElement.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Contains("lineValueNet: lineValue(includingTax: false)", body.RootElement.GetProperty("query").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Maps_a_VAT_exclusive_wholesale_order()
    {
        using var http = new HttpTest();
        http.RespondWithJson(Data(new
        {
            __typename = "WholesaleOrder",
            id = "abc",
            number = 2002,
            status = "CONFIRMED",
            createdAt = "2026-05-04T10:15:22Z",
            updatedAt = "2026-05-04T10:15:22Z",
            store = new { id = 2, type = "WHOLESALE" },
            account = new { id = 501, name = "Shop AB" },
            buyer = new { id = 9, email = "buyer@shop.example" },
            billingAddress = Address("de"),
            shippingAddress = Address("de"),
            grandTotal = new { value = 1190m, currency = new { code = "eur" } },
            totals = new { shipping = Money(0m), taxIncluded = Money(0m), taxAdded = Money(190m), shippingTaxIncluded = Money(0m), shippingTaxAdded = Money(0m) },
            lines = new object[]
            {
                new { id = 1, productNumber = "P1", productName = "Jacket", quantity = 10, taxPercent = 19m, unitPrice = Money(100m), unitOriginalPrice = Money(120m), lineValue = Money(1000m), lineValueNet = Money(1000m), productSize = new { SKU = "P1-L" } },
            },
        }));
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var order = await source.GetOrderAsync(Integration(), "2002", Ct);

        Assert.NotNull(order);
        Assert.True(order.IsWholesale);
        Assert.False(order.PricesIncludeVat);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(new ShopCustomer("501", "buyer@shop.example", "Anna", "Berg"), order.Customer);
        var line = Assert.Single(order.Lines);
        Assert.Equal((1000m, 1190m, 1200m, 1428m), (line.ValueNet, line.ValueGross, line.OriginalValueNet, line.OriginalValueGross));
        Assert.Null(order.Shipping);
        Assert.Equal(190m, order.VatTotal);
        Assert.Equal("DE", order.ShippingAddress.CountryCode);
    }

    [Fact]
    public async Task Short_429_with_an_HTTP_date_is_waited_out_and_retried()
    {
        using var http = new HttpTest();
        http.RespondWith("{\"errors\":[{\"message\":\"Too many requests\"}]}", 429, new { Retry_After = Start.AddSeconds(2).ToString("R", CultureInfo.InvariantCulture) })
            .RespondWithJson(Data(InclusiveOrder()));
        var time = new AutoAdvancingTimeProvider(Start);
        var source = Centra(time);

        var order = await source.GetOrderAsync(Integration(), "1001", Ct);

        Assert.NotNull(order);
        Assert.Equal(2, http.CallLog.Count);
        Assert.Contains(TimeSpan.FromSeconds(2), time.Delays);
    }

    [Fact]
    public async Task Long_429_with_a_unix_timestamp_throws_SHOP_RATE_LIMITED_with_RetryAfter()
    {
        using var http = new HttpTest();
        http.RespondWith("", 429, new { Retry_After = Start.AddMinutes(15).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) });
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<CentraApiException>(() => source.GetOrderAsync(Integration(), "1001", Ct));

        Assert.Equal(ErrorCodes.ShopRateLimited, ex.Code);
        Assert.Equal(TimeSpan.FromMinutes(15), ex.RetryAfter);
        Assert.True(ex.Retryable);
        Assert.Single(http.CallLog);
    }

    [Fact]
    public async Task Authentication_errors_map_to_SHOP_AUTH_FAILED()
    {
        using var http = new HttpTest();
        http.RespondWithJson(new { errors = new[] { new { message = "Invalid token", extensions = new { category = "authentication" } } } }, 401);
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<CentraApiException>(() => source.GetOrderAsync(Integration(), "1001", Ct));

        Assert.Equal(ErrorCodes.ShopAuthFailed, ex.Code);
        Assert.Contains("Invalid token", ex.Message, StringComparison.Ordinal);
        Assert.Single(http.CallLog);
    }

    [Fact]
    public async Task Missing_permission_in_a_200_answer_maps_to_SHOP_PERMISSION_MISSING_naming_it()
    {
        using var http = new HttpTest();
        http.RespondWithJson(new { data = (object?)null, errors = new[] { new { message = "You need Order:read permission", extensions = new { category = "authorization" } } } });
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<CentraApiException>(() => source.GetOrderAsync(Integration(), "1001", Ct));

        Assert.Equal(ErrorCodes.ShopPermissionMissing, ex.Code);
        Assert.Equal(["Order:read"], ex.MissingPermissions);
        Assert.Contains("Order:read", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.Retryable);
    }

    [Fact]
    public async Task Other_GraphQL_errors_map_to_SHOP_QUERY_FAILED_with_the_messages()
    {
        using var http = new HttpTest();
        http.RespondWithJson(new { errors = new[] { new { message = "Cannot query field \"foo\" on type \"Order\".", extensions = new { category = "graphql" } } } });
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<CentraApiException>(() => source.GetOrderAsync(Integration(), "1001", Ct));

        Assert.Equal(ErrorCodes.ShopQueryFailed, ex.Code);
        Assert.Contains("Cannot query field \"foo\"", ex.Message, StringComparison.Ordinal);
        Assert.Single(http.CallLog);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_SHOP_UNAVAILABLE()
    {
        using var http = new HttpTest();
        http.RespondWith("upstream down", 502);
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<CentraApiException>(() => source.GetOrderAsync(Integration(), "1001", Ct));

        Assert.Equal(ErrorCodes.ShopUnavailable, ex.Code);
        Assert.True(ex.Retryable);
        Assert.Equal(4, http.CallLog.Count);
    }

    [Fact]
    public async Task OrdersChangedSince_pages_by_keyset_on_updatedAt_and_skips_what_it_already_returned()
    {
        using var http = new HttpTest();
        http.RespondWithJson(Data(new { number = 1, updatedAt = "2026-05-04T10:00:00Z" }, new { number = 2, updatedAt = "2026-05-04T10:01:00Z" }))
            .RespondWithJson(Data(new { number = 2, updatedAt = "2026-05-04T10:01:00Z" }, new { number = 3, updatedAt = "2026-05-04T10:02:00Z" }))
            .RespondWithJson(Data(new { number = 3, updatedAt = "2026-05-04T10:02:00Z" }));
        var source = Centra(new AutoAdvancingTimeProvider(Start));

        var pages = new List<ShopOrderPage>();
        await foreach (var p in source.GetOrdersChangedSinceAsync(Integration(), new DateTimeOffset(2026, 5, 4, 9, 50, 0, TimeSpan.Zero), Ct))
            pages.Add(p);

        Assert.Equal(["1", "2", "3"], pages.SelectMany(p => p.Orders).Select(r => r.OrderNumber).ToArray());
        Assert.Equal(
            [new DateTimeOffset(2026, 5, 4, 10, 1, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 4, 10, 2, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 4, 10, 2, 0, TimeSpan.Zero)],
            pages.Select(p => p.Checkpoint).ToArray());
        Assert.Equal(3, http.CallLog.Count);
        string[] froms = ["2026-05-04T09:50:00+00:00", "2026-05-04T10:01:00+00:00", "2026-05-04T10:02:00+00:00"];
        for (var i = 0; i < 3; i++)
        {
            using var body = JsonDocument.Parse(http.CallLog[i].RequestBody);
            Assert.Equal("OrdersChangedSince", body.RootElement.GetProperty("operationName").GetString());
            Assert.Contains("sort: [updatedAt_ASC, id_ASC]", body.RootElement.GetProperty("query").GetString(), StringComparison.Ordinal);
            var variables = body.RootElement.GetProperty("variables");
            Assert.Equal(1, variables.GetProperty("page").GetInt32());
            Assert.Equal(2, variables.GetProperty("limit").GetInt32());
            Assert.Equal(froms[i], variables.GetProperty("from").GetString());
        }
    }
}
