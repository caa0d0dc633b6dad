using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Sandbox;

public class CentraSandboxTests
{
    private static HttpClient CentraClient(SandboxKit kit, string token = "centra-sandbox-token")
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Raw)> QueryAsync(HttpClient client, SandboxKit kit, string operation, object variables)
    {
        var response = await client.PostAsJsonAsync(kit.Host.CentraGraphQlUrl, new
        {
            query = operation switch
            {
                "OrderByNumber" => Junipeer.Connectors.Centra.CentraQueries.OrderByNumber,
                "OrdersChangedSince" => ChangedSince,
                _ => throw new ArgumentOutOfRangeException(nameof(operation)),
            },
            variables,
            operationName = operation,
        }, Ct);
        return (response.StatusCode, await ObjectAsync(response), response);
    }

    private const string ChangedSince = """
        query OrdersChangedSince($from: DateTimeTz!, $limit: Int!, $page: Int!) {
          orders(where: { updatedAt: { from: $from } }, sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) { number status updatedAt }
        }
        """;

    [Fact]
    public async Task Order_by_number_returns_the_centra_shape_and_auth_is_required()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Centra.AddOrder(DemoData.SwedishOrder(5001));
        using var client = CentraClient(kit);

        var (status, body, raw) = await QueryAsync(client, kit, "OrderByNumber", new { number = 5001 });
        raw.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var order = Assert.Single(body["data"]!["orders"]!.AsArray())!;
        Assert.Equal(5001, order["number"]!.GetValue<int>());
        Assert.Equal("DirectToConsumerOrder", order["__typename"]!.GetValue<string>());
        Assert.Equal("CONFIRMED", order["status"]!.GetValue<string>());
        Assert.Equal("SEK", order["grandTotal"]!["currency"]!["code"]!.GetValue<string>());
        Assert.Equal("shopper5001@example.com", order["customer"]!["email"]!.GetValue<string>());
        Assert.Equal("SE", order["billingAddress"]!["country"]!["code"]!.GetValue<string>());
        Assert.Equal(32, order["id"]!.GetValue<string>().Length);
        var line = order["lines"]![0]!;
        Assert.Equal("SHIRT-BLUE-M", line["productSize"]!["SKU"]!.GetValue<string>());
        Assert.Equal(598m, D(line["lineValue"]!["value"]));
        Assert.Equal(478.40m, D(line["lineValueNet"]!["value"]));
        Assert.Equal("SPRING", order["discountsApplied"]![0]!["code"]!.GetValue<string>());
        Assert.NotNull(body["extensions"]!["complexity"]);
        Assert.Contains("Order:read", body["extensions"]!["permissionsUsed"]!.AsArray().Select(p => p!.GetValue<string>()));

        var (_, missing, raw2) = await QueryAsync(client, kit, "OrderByNumber", new { number = 999 });
        raw2.Dispose();
        Assert.Empty(missing["data"]!["orders"]!.AsArray());

        using var wrong = CentraClient(kit, "nope");
        var (unauth, err, raw3) = await QueryAsync(wrong, kit, "OrderByNumber", new { number = 5001 });
        raw3.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, unauth);
        Assert.Equal("authentication", err["errors"]![0]!["extensions"]!["category"]!.GetValue<string>());
        Assert.Equal(2, kit.Host.State.Stats.Count("centra POST /graphql OrderByNumber"));
    }

    [Fact]
    public async Task Orders_changed_since_pages_by_updated_at_until_an_empty_page()
    {
        await using var kit = await StartAsync();
        var start = kit.Clock.GetUtcNow();
        for (var n = 1; n <= 5; n++)
        {
            kit.Host.State.Centra.AddOrder(DemoData.SwedishOrder(6000 + n));
            kit.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        using var client = CentraClient(kit);
        var seen = new List<int>();
        for (var page = 1; ; page++)
        {
            var (_, body, raw) = await QueryAsync(client, kit, "OrdersChangedSince", new { from = start.ToString("O", CultureInfo.InvariantCulture), limit = 2, page });
            raw.Dispose();
            var orders = body["data"]!["orders"]!.AsArray();
            if (orders.Count == 0)
            {
                Assert.Equal(4, page);
                break;
            }

            Assert.True(orders.Count <= 2);
            seen.AddRange(orders.Select(o => o!["number"]!.GetValue<int>()));
        }

        Assert.Equal([6001, 6002, 6003, 6004, 6005], seen);

        // Only orders updated at/after "from"; an update moves an old order to the end of the sweep.
        var later = kit.Clock.GetUtcNow();
        using (var patch = await kit.Http.PatchAsJsonAsync("_sandbox/centra/orders/6002", new { status = "SHIPPED" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var (_, sweep, raw4) = await QueryAsync(client, kit, "OrdersChangedSince", new { from = later.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), limit = 50, page = 1 });
        raw4.Dispose();
        var changed = Assert.Single(sweep["data"]!["orders"]!.AsArray())!;
        Assert.Equal(6002, changed["number"]!.GetValue<int>());
        Assert.Equal("SHIPPED", changed["status"]!.GetValue<string>());
        Assert.Equal(later, DateTimeOffset.Parse(changed["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Vat_inclusive_order_with_voucher_over_two_rates_adds_up()
    {
        await using var kit = await StartAsync();
        using var seeded = await kit.Http.PostAsJsonAsync("_sandbox/centra/orders", DemoData.SwedishOrder(7001), Ct);
        Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);

        // lines 2 x 299 @25% and 199 @12% (gross), shipping 49 (at 25%), voucher 100 split 598:199.
        var truth = kit.Host.State.Centra.Order(7001)!;
        Assert.Equal(746m, truth.GrandTotal);                 // 797 + 49 - 100
        var r25 = truth.VatBreakdown.Single(v => v.Rate == 25m);
        var r12 = truth.VatBreakdown.Single(v => v.Rate == 12m);
        Assert.Equal(75.03m, r25.VoucherShare);
        Assert.Equal(24.97m, r12.VoucherShare);
        Assert.Equal(114.39m, r25.Vat);                       // 119.60 + 9.80 - 15.01
        Assert.Equal(18.64m, r12.Vat);                        // 21.32 - 2.68
        Assert.Equal(133.03m, truth.TotalVat);
        Assert.Equal(truth.GrandTotal, truth.VatBreakdown.Sum(v => v.Net + v.Vat));

        using var client = CentraClient(kit);
        var (_, body, raw) = await QueryAsync(client, kit, "OrderByNumber", new { number = 7001 });
        raw.Dispose();
        var order = body["data"]!["orders"]![0]!;
        var totals = order["totals"]!;
        Assert.Equal(746m, D(order["grandTotal"]!["value"]));
        Assert.Equal(133.03m, D(totals["taxIncluded"]!["value"]));
        Assert.Equal(0m, D(totals["taxAdded"]!["value"]));
        Assert.Equal(9.80m, D(totals["shippingTaxIncluded"]!["value"]));
        Assert.Equal(-100m, D(totals["discounts"]!["value"]));
        var lineVat = order["lines"]!.AsArray().Sum(l => D(l!["lineValue"]!["value"]) - D(l["lineValueNet"]!["value"]));
        Assert.Equal(140.92m, lineVat);                       // 119.60 + 21.32
        Assert.Equal(D(totals["taxIncluded"]!["value"]), lineVat + D(totals["shippingTaxIncluded"]!["value"]) - (15.01m + 2.68m));
        Assert.Equal(D(order["grandTotal"]!["value"]), D(totals["lineValues"]!["value"]) + D(totals["shipping"]!["value"]) + D(totals["discounts"]!["value"]));
    }

    [Fact]
    public async Task Vat_exclusive_wholesale_order_adds_tax_and_remainder_goes_to_largest_share()
    {
        await using var kit = await StartAsync();
        var truth = kit.Host.State.Centra.AddOrder(new CentraOrderSpec
        {
            Number = 8001,
            StoreType = "WHOLESALE",
            PricesIncludeVat = false,
            Currency = "EUR",
            Account = new() { Id = 9, Name = "Shop GmbH" },
            Buyer = new() { Id = 10, Email = "buyer@shop.de" },
            Lines =
            [
                new() { ProductNumber = "A", Quantity = 1, UnitPrice = 100m, TaxPercent = 25m },
                new() { ProductNumber = "B", Quantity = 1, UnitPrice = 100m, TaxPercent = 12m, DiscountPercent = 10m },
                new() { ProductNumber = "C", Quantity = 1, UnitPrice = 100m, TaxPercent = 6m },
            ],
            Shipping = 10m,
            Voucher = new() { Code = "TINY", Amount = 0.05m },
            GiftCertificate = 20m,
        });

        // gross per rate 125 / 100.80 / 106 -> shares 0.02 / 0.02 / 0.02 = 0.06; -0.01 goes to 25% (largest gross).
        Assert.Equal(0.01m, truth.VatBreakdown.Single(v => v.Rate == 25m).VoucherShare);
        Assert.Equal(0.05m, truth.VatBreakdown.Sum(v => v.VoucherShare));
        Assert.Equal(truth.LineValues + truth.Shipping - truth.VoucherAmount + truth.TotalVat, truth.GrandTotal);
        Assert.Equal(truth.GrandTotal, truth.VatBreakdown.Sum(v => v.Gross));

        using var client = CentraClient(kit);
        var (_, body, raw) = await QueryAsync(client, kit, "OrderByNumber", new { number = 8001 });
        raw.Dispose();
        var order = body["data"]!["orders"]![0]!;
        Assert.Equal("WholesaleOrder", order["__typename"]!.GetValue<string>());
        Assert.Equal("Shop GmbH", order["account"]!["name"]!.GetValue<string>());
        Assert.Null(order["customer"]);
        Assert.Equal(truth.TotalVat, D(order["totals"]!["taxAdded"]!["value"]));
        Assert.Equal(2.50m, D(order["totals"]!["shippingTaxAdded"]!["value"]));
        var discounted = order["lines"]![1]!;
        Assert.Equal(90m, D(discounted["unitPrice"]!["value"]));
        Assert.Equal(100m, D(discounted["unitOriginalPrice"]!["value"]));
        Assert.True(discounted["hasAnyDiscount"]!.GetValue<bool>());
        var payments = order["paymentHistory"]!.AsArray();
        Assert.Contains(payments, p => p!["entryType"]!.GetValue<string>() == "CAPTURE_GIFT_CARD" && D(p["value"]!["value"]) == 20m);
        Assert.Equal(truth.GrandTotal, payments.Where(p => p!["entryType"]!.GetValue<string>().StartsWith("CAPTURE", StringComparison.Ordinal)).Sum(p => D(p!["value"]!["value"])));
    }

    [Fact]
    public async Task Centra_429_burst_sends_retry_after_as_http_date()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Centra.AddOrder(DemoData.SwedishOrder(9001));
        using (var put = await kit.Http.PutAsJsonAsync("_sandbox/faults", new { centra429Burst = 1, retryAfterSeconds = 30 }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var client = CentraClient(kit);
        var (status, _, raw) = await QueryAsync(client, kit, "OrderByNumber", new { number = 9001 });
        using (raw)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, status);
            Assert.Equal(kit.Clock.GetUtcNow().AddSeconds(30), raw.Headers.RetryAfter!.Date);
        }

        var (after, body, raw2) = await QueryAsync(client, kit, "OrderByNumber", new { number = 9001 });
        raw2.Dispose();
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Single(body["data"]!["orders"]!.AsArray());
    }

    [Fact]
    public async Task Centra_request_bucket_limits_and_refills_with_the_clock()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Centra.RateLimit = 2;
        kit.Host.State.Centra.RateWindow = TimeSpan.FromSeconds(10);
        using var client = CentraClient(kit);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var (status, _, raw) = await QueryAsync(client, kit, "OrderByNumber", new { number = 1 });
            if (status == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(kit.Clock.GetUtcNow().AddSeconds(10), raw.Headers.RetryAfter!.Date);
            }

            raw.Dispose();
            statuses.Add(status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        var (refilled, _, raw2) = await QueryAsync(client, kit, "OrderByNumber", new { number = 1 });
        raw2.Dispose();
        Assert.Equal(HttpStatusCode.OK, refilled);
    }
}
