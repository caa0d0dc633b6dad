using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Sandbox;

public class VismaSandboxTests
{
    [Fact]
    public async Task Token_is_issued_for_a_connected_tenant_and_rejected_otherwise()
    {
        await using var kit = await StartAsync();

        using var ok = await kit.TokenResponseAsync();
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var body = await ObjectAsync(ok);
        Assert.False(string.IsNullOrEmpty(body["access_token"]!.GetValue<string>()));
        Assert.Equal(3600, body["expires_in"]!.GetValue<int>());
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());

        using var badSecret = await kit.TokenResponseAsync(secret: "wrong");
        Assert.Equal(HttpStatusCode.BadRequest, badSecret.StatusCode);
        Assert.Equal("invalid_client", (await ObjectAsync(badSecret))["error"]!.GetValue<string>());

        using var badTenant = await kit.TokenResponseAsync(tenant: TenantB);
        Assert.Equal(HttpStatusCode.BadRequest, badTenant.StatusCode);
        Assert.Equal("invalid_tenant", (await ObjectAsync(badTenant))["error"]!.GetValue<string>());

        using var badGrant = await kit.TokenResponseAsync(grant: "password");
        Assert.Equal("unsupported_grant_type", (await ObjectAsync(badGrant))["error"]!.GetValue<string>());

        Assert.Equal(1, kit.Host.State.Stats.TokensFor(TenantA));
        Assert.Equal(4, kit.Host.State.Stats.Count("visma-connect POST /connect/token"));
    }

    [Fact]
    public async Task Api_answers_401_ipp_without_token_and_after_expiry()
    {
        await using var kit = await StartAsync();
        using var anonymous = await kit.Http.GetAsync(new Uri(kit.Host.VismaApiBase + "/v1/customer"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var ipp = await ObjectAsync(anonymous);
        Assert.Equal("IPPException", ipp["ExceptionType"]!.GetValue<string>());
        Assert.Equal("12027", ipp["ExceptionFaultCode"]!.GetValue<string>());
        Assert.StartsWith("12027_", ipp["ExceptionMessageID"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(anonymous.Headers.Contains("X-RateLimit-Limit"));

        using var visma = await kit.VismaClientAsync();
        using (var fresh = await visma.GetAsync("v1/customer", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            Assert.Equal("4-fixed-window", fresh.Headers.GetValues("X-RateLimit-Policy").Single());
        }

        kit.Clock.Advance(TimeSpan.FromSeconds(3601));
        using var expired = await visma.GetAsync("v1/customer", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Tenant_a_token_cannot_see_tenant_b_data()
    {
        await using var kit = await StartAsync();
        kit.Host.State.Visma.CreateCompany(DemoData.SwedishCompany(TenantB, ClientId, ClientSecret));
        using var a = await kit.VismaClientAsync(TenantA);
        using var b = await kit.VismaClientAsync(TenantB);

        var number = await CreateCustomerAsync(a, "Only In A", "a@example.com");

        using var getInB = await b.GetAsync($"v1/customer/{number}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, getInB.StatusCode);
        using var listInB = await b.GetAsync("v1/customer?pageNumber=1&pageSize=100", Ct);
        Assert.Empty(await ArrayAsync(listInB));
        Assert.Single(kit.Host.State.Visma.Customers(TenantA));
        Assert.Empty(kit.Host.State.Visma.Customers(TenantB));
    }

    [Fact]
    public async Task Customer_create_returns_201_with_location_etag_and_series_number()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();

        using var response = await visma.PostAsJsonAsync("v1/customer", new
        {
            name = V("Anna Berg"),
            customerClassId = V("EU"),
            overrideWithClassValues = true,
            mainContact = V(new { email = V("Anna@Example.com") }),
            attributeLines = new[] { new { attributeId = V("CENTRAID"), attributeValue = V("c-1") } },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(new Uri(kit.Host.BaseUri, "visma/v1/customer/10000"), response.Headers.Location);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(0, response.Content.Headers.ContentLength ?? 0);

        Assert.Equal("10001", await CreateCustomerAsync(visma, "Bo"));

        using var get = await visma.GetAsync(response.Headers.Location, Ct);
        var customer = await ObjectAsync(get);
        Assert.Equal("Anna Berg", customer["name"]!.GetValue<string>());
        Assert.Equal("DE", customer["vatZone"]!["id"]!.GetValue<string>()); // class default zone
        Assert.Equal("EU", customer["customerClass"]!["id"]!.GetValue<string>());
        Assert.NotNull(get.Headers.ETag);

        using var byEmail = await visma.GetAsync("v1/customer?email=anna%40example.COM&pageNumber=1&pageSize=10", Ct);
        var found = await ArrayAsync(byEmail);
        Assert.Equal("10000", Assert.Single(found)!["number"]!.GetValue<string>());
        Assert.Equal(1, found[0]!["metadata"]!["totalCount"]!.GetValue<int>());

        using var byAttr = await visma.GetAsync("v1/customer?attributes=" + Uri.EscapeDataString("{\"CENTRAID\":\"c-1\"}"), Ct);
        Assert.Single(await ArrayAsync(byAttr));
    }

    [Fact]
    public async Task Customer_series_exhaustion_and_unknown_class_are_400_messages()
    {
        await using var kit = await StartAsync(c => { c.CustomerStart = "100"; c.CustomerEnd = "101"; });
        using var visma = await kit.VismaClientAsync();
        Assert.Equal("100", await CreateCustomerAsync(visma, "One"));
        Assert.Equal("101", await CreateCustomerAsync(visma, "Two"));

        using var exhausted = await visma.PostAsJsonAsync("v1/customer", new { name = V("Three") }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, exhausted.StatusCode);
        var message = (await ObjectAsync(exhausted))["message"]!.GetValue<string>();
        Assert.StartsWith("VismaId: ", message, StringComparison.Ordinal);
        Assert.Contains("Cannot generate the next number", message, StringComparison.Ordinal);

        using var badClass = await visma.PostAsJsonAsync("v1/customer", new { name = V("X"), number = V("5"), customerClassId = V("NOPE") }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badClass.StatusCode);
        Assert.Equal(2, kit.Host.State.Visma.Customers(TenantA).Count);
    }

    [Fact]
    public async Task Concurrent_customer_creates_get_unique_numbers()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var numbers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CreateCustomerAsync(visma, $"C{i}")));
        Assert.Equal(20, numbers.Distinct().Count());
        Assert.Equal(Enumerable.Range(10000, 20).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), numbers.Order());
    }

    [Fact]
    public async Task Invoice_amounts_follow_category_zone_intersection_and_effective_rates()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");

        // Zone SE: category 1 -> SE25, category 2 -> SE12; discount and manual amount honoured.
        using var created = await visma.PostAsJsonAsync("v2/customerinvoice", new
        {
            customerNumber = V(customer),
            documentDate = V("2026-05-04"),
            currencyId = V("SEK"),
            customerRefNumber = V("CENTRA-1"),
            invoiceLines = new object[]
            {
                new { operation = "Insert", inventoryNumber = V("SHIRT"), quantity = V(2), unitPriceInCurrency = V(239.20m), discountAmountInCurrency = V(10m), vatCodeId = V("1") },
                new { operation = "Insert", description = V("Book"), quantity = V(1), unitPriceInCurrency = V(999m), manualAmountInCurrency = V(177.68m), vatCodeId = V("2") },
            },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith("/visma/v1/customerinvoice/000001", created.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.NotNull(created.Headers.ETag);

        using var get = await visma.GetAsync(created.Headers.Location, Ct);
        var inv = await ObjectAsync(get);
        Assert.Equal(646.08m, D(inv["detailTotal"])); // 468.40 + 177.68
        Assert.Equal(138.42m, D(inv["vatTotal"]));    // 117.10 + 21.32
        Assert.Equal(784.50m, D(inv["amount"]));
        Assert.Equal("Balanced", inv["status"]!.GetValue<string>());
        var taxes = inv["taxDetails"]!.AsArray();
        Assert.Equal(2, taxes.Count);
        Assert.Contains(taxes, t => t!["taxId"]!.GetValue<string>() == "SE25" && D(t["vatAmount"]) == 117.10m && D(t["taxableAmount"]) == 468.40m);
        Assert.Contains(taxes, t => t!["taxId"]!.GetValue<string>() == "SE12" && D(t["vatAmount"]) == 21.32m);

        // Same category 1 in zone DE picks DE19, at the 16% rate effective on 2020-08-01.
        using var de = await visma.PostAsJsonAsync("v2/customerinvoice", new
        {
            customerNumber = V(customer),
            documentDate = V("2020-08-01T00:00:00"),
            customerVatZoneId = V("DE"),
            invoiceLines = new[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(100m), vatCodeId = V("1") } },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, de.StatusCode);
        var deInv = kit.Host.State.Visma.Invoices(TenantA).Single(i => i.ReferenceNumber == "000002");
        var deTax = Assert.Single(deInv.TaxDetails);
        Assert.Equal(("DE19", 16m, 16m), (deTax.TaxId, deTax.VatRate, deTax.VatAmount));
        Assert.Equal(116m, deInv.Amount);
    }

    [Fact]
    public async Task Tax_detail_override_applies_within_five_cents_and_is_rejected_beyond()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");

        object Body(decimal vat) => new
        {
            customerNumber = V(customer),
            customerRefNumber = V("OVR"),
            invoiceLines = new[] { new { operation = "Insert", quantity = V(3), unitPriceInCurrency = V(33.33m), vatCodeId = V("1") } },
            taxDetailLines = new[] { new { taxId = V("SE25"), taxableAmount = V(99.99m), vatAmount = V(vat) } },
        };

        // computed 99.99 * 25% = 25.00 (24.9975); Centra said 25.03
        using var ok = await visma.PostAsJsonAsync("v2/customerinvoice", Body(25.03m), Ct);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var inv = Assert.Single(kit.Host.State.Visma.Invoices(TenantA));
        Assert.Equal(25.03m, inv.VatTotal);
        Assert.Equal(125.02m, inv.Amount);

        using var tooFar = await visma.PostAsJsonAsync("v2/customerinvoice", Body(25.06m), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooFar.StatusCode);
        Assert.Contains("0.05", (await ObjectAsync(tooFar))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(kit.Host.State.Visma.Invoices(TenantA));
    }

    [Fact]
    public async Task Invoice_rejects_unknown_vat_code_customer_and_stock_item()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");

        async Task<string> Rejected(object body)
        {
            using var r = await visma.PostAsJsonAsync("v2/customerinvoice", body, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            return (await ObjectAsync(r))["message"]!.GetValue<string>();
        }

        Assert.Contains("VAT category", await Rejected(new { customerNumber = V(customer), invoiceLines = new[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(1m), vatCodeId = V("99") } } }), StringComparison.Ordinal);
        Assert.Contains("Customer", await Rejected(new { customerNumber = V("77777"), invoiceLines = Array.Empty<object>() }), StringComparison.Ordinal);
        Assert.Contains("non-stock", await Rejected(new { customerNumber = V(customer), invoiceLines = new[] { new { operation = "Insert", inventoryNumber = V("STOCK-1"), quantity = V(1), unitPriceInCurrency = V(1m), vatCodeId = V("1") } } }), StringComparison.Ordinal);
        Assert.Empty(kit.Host.State.Visma.Invoices(TenantA));
    }

    [Fact]
    public async Task Invoice_list_filters_by_customer_ref_number_and_pages()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        foreach (var reference in new[] { "R-1", "R-2", "R-2", "R-3", "R-4" })
        {
            using var r = await visma.PostAsJsonAsync("v2/customerinvoice", new
            {
                customerNumber = V(customer),
                customerRefNumber = V(reference),
                externalReference = V("EXT-" + reference),
                invoiceLines = new[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(10m), vatCodeId = V("1") } },
            }, Ct);
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var filtered = await visma.GetAsync("v1/customerinvoice?customerRefNumber=R-2&pageNumber=1&pageSize=100", Ct);
        var two = await ArrayAsync(filtered);
        Assert.Equal(2, two.Count);
        Assert.All(two, i => Assert.Equal(2, i!["metadata"]!["totalCount"]!.GetValue<int>()));
        Assert.All(two, i => Assert.Equal("R-2", i!["customerRefNumber"]!.GetValue<string>()));

        using var prefix = await visma.GetAsync("v1/customerinvoice?customerRefNumber=R-", Ct);
        Assert.Empty(await ArrayAsync(prefix)); // exact match

        using var byExt = await visma.GetAsync("v1/customerinvoice?externalReference=EXT-R-3", Ct);
        Assert.Single(await ArrayAsync(byExt));

        using var page3 = await visma.GetAsync("v1/customerinvoice?pageNumber=3&pageSize=2", Ct);
        var last = await ArrayAsync(page3);
        Assert.Equal("000005", Assert.Single(last)!["referenceNumber"]!.GetValue<string>());
        Assert.Equal(5, last[0]!["metadata"]!["totalCount"]!.GetValue<int>());
        Assert.Equal(1000, last[0]!["metadata"]!["maxPageSize"]!.GetValue<int>());

        using var past = await visma.GetAsync("v1/customerinvoice?pageNumber=4&pageSize=2", Ct);
        Assert.Empty(await ArrayAsync(past));

        using var clamped = await visma.GetAsync("v1/customerinvoice?pageNumber=1&pageSize=50000", Ct);
        Assert.Equal(5, (await ArrayAsync(clamped)).Count);
    }

    [Fact]
    public async Task Release_opens_the_invoice_and_a_second_release_is_rejected()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        using var created = await visma.PostAsJsonAsync("v2/customerinvoice", new
        {
            customerNumber = V(customer),
            invoiceLines = new[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(80m), vatCodeId = V("1") } },
        }, Ct);
        var number = created.Headers.Location!.Segments[^1];

        using var release = await visma.PostAsync($"v1/customerinvoice/{number}/action/release", null, Ct);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        var action = await ObjectAsync(release);
        Assert.Equal("Done", action["actionResult"]!.GetValue<string>());
        Assert.True(Guid.TryParse(action["actionId"]!.GetValue<string>(), out _));

        using var get = await visma.GetAsync($"v1/customerinvoice/{number}", Ct);
        var inv = await ObjectAsync(get);
        Assert.Equal("Open", inv["status"]!.GetValue<string>());
        Assert.Equal(100m, D(inv["balance"]));

        using var again = await visma.PostAsync($"v1/customerinvoice/{number}/action/release", null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already released", (await ObjectAsync(again))["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Burst_429_carries_retry_after_seconds_and_the_window_limit_applies()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        using (var put = await kit.Http.PutAsJsonAsync("_sandbox/faults", new { visma429Burst = 2, retryAfterSeconds = 7 }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var limited = await visma.GetAsync("v1/vatCategory", Ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter!.Delta);
        }

        using (var ok = await visma.GetAsync("v1/vatCategory", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(4, (await ArrayAsync(ok)).Count); // the four VAT categories of the demo company
        }

        // Fixed window: limit 3 per hour; the fake clock sits 10:00:00, so the window resets in 3600 s.
        kit.Host.State.Visma.RateLimit = 3;
        using var second = await visma.GetAsync("v1/vatCategory", Ct);
        Assert.Equal("1", second.Headers.GetValues("X-RateLimit-Remaining").Single());
        using var third = await visma.GetAsync("v1/vatCategory", Ct);
        Assert.Equal("0", third.Headers.GetValues("X-RateLimit-Remaining").Single());
        using var over = await visma.GetAsync("v1/vatCategory", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3600), over.Headers.RetryAfter!.Delta);
        Assert.Equal("3600", over.Headers.GetValues("X-RateLimit-Reset").Single());

        kit.Clock.Advance(TimeSpan.FromHours(1)); // new window (the old token expired with it)
        using var renewed = await kit.VismaClientAsync();
        using var nextWindow = await renewed.GetAsync("v1/vatCategory", Ct);
        Assert.Equal(HttpStatusCode.OK, nextWindow.StatusCode);
    }

    [Fact]
    public async Task Commit_then_drop_fails_the_request_but_the_invoice_exists()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        kit.Host.State.Faults.VismaCommitThenDropRate = 1.0;

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            using var r = await visma.PostAsJsonAsync("v2/customerinvoice", new
            {
                customerNumber = V(customer),
                customerRefNumber = V("CENTRA-DROP"),
                invoiceLines = new[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(10m), vatCodeId = V("1") } },
            }, Ct);
        });

        using var truth = await kit.Http.GetAsync($"_sandbox/visma/{TenantA}/invoices", Ct);
        var invoices = await ArrayAsync(truth);
        var only = Assert.Single(invoices)!;
        Assert.Equal("CENTRA-DROP", only["customerRefNumber"]!.GetValue<string>());
        Assert.Equal(12.5m, D(only["amount"]));
        Assert.Equal(2.5m, D(only["vatTotal"]));

        // Reads are never dropped; the duplicate check finds it.
        using var check = await visma.GetAsync("v1/customerinvoice?customerRefNumber=CENTRA-DROP", Ct);
        Assert.Single(await ArrayAsync(check));
    }

    [Fact]
    public async Task Visma_5xx_fault_hits_the_api_but_not_the_token_endpoint_or_control_plane()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        using (var put = await kit.Http.PutAsJsonAsync("_sandbox/faults", new { visma5xxRate = 1.0, seed = 3 }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var failed = await visma.GetAsync("v1/vatCategory", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("IPPException", (await ObjectAsync(failed))["ExceptionType"]!.GetValue<string>());

        using var token = await kit.TokenResponseAsync();
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        using var stats = await kit.Http.GetAsync("_sandbox/stats", Ct);
        var calls = (await ObjectAsync(stats))["calls"]!;
        Assert.Equal(1, calls["visma GET /v1/vatCategory"]!.GetValue<long>());
    }

    [Fact]
    public async Task Stats_count_per_route_template_and_reset_clears_everything()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        using (await visma.GetAsync($"v1/customer/{customer}", Ct))
        using (await visma.GetAsync("v1/customer/nope", Ct))
        {
        }

        using var stats = await kit.Http.GetAsync("_sandbox/stats", Ct);
        var body = await ObjectAsync(stats);
        Assert.Equal(2, body["calls"]!["visma GET /v1/customer/{customerCd}"]!.GetValue<long>());
        Assert.Equal(1, body["calls"]!["visma POST /v1/customer"]!.GetValue<long>());
        Assert.Equal(1, body["tokensIssued"]![TenantA]!.GetValue<long>());

        using var reset = await kit.Http.PostAsync("_sandbox/reset", null, Ct);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Empty(kit.Host.State.Visma.TenantIds);
        Assert.Empty(kit.Host.State.Stats.Calls);
        using var after = await visma.GetAsync("v1/customer", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
