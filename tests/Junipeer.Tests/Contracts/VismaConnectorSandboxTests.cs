using Junipeer.Connectors.Http;
using System.Net;
using System.Net.Http.Json;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Tests.Connectors;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Sandbox;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Contracts;

/// <summary>
/// The Visma.net connector's whole repertoire over real HTTP against the strict Sandbox: every
/// request must be on Visma's published contract, and the rails' new capabilities behave.
/// </summary>
public class VismaConnectorSandboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sandbox company whose client secret matches <see cref="ConnectorTestSupport.Secrets"/>.</summary>
    private static Task<SandboxKit> StartAsync() => SandboxKit.StartAsync(c => c.ClientSecret = "s3cret-value");

    private static Integration For(SandboxKit kit, string? keyAttribute = null)
    {
        var i = Integration();
        return i with
        {
            Erp = i.Erp with
            {
                VismaNet = i.Erp.VismaNet! with
                {
                    CompanyTenantId = SandboxKit.TenantA,
                    ClientId = SandboxKit.ClientId,
                    ApiBaseUrl = kit.Host.VismaApiBase.ToString(),
                    TokenUrl = kit.Host.VismaTokenUrl.ToString(),
                },
            },
            Orders = i.Orders with { CustomerExternalIdAttribute = keyAttribute },
        };
    }

    private static VismaNetErp Erp(SandboxKit kit) => ConnectorTestSupport.Erp(new AutoAdvancingTimeProvider(kit.Clock.GetUtcNow()));

    private static ErpCustomerDraft Customer(string name, string? key = null) => new()
    {
        Name = name,
        Email = name.Replace(' ', '.').ToLowerInvariant() + "@example.com",
        CustomerClassId = "WEB",
        VatZoneId = "SE",
        CurrencyId = "SEK",
        AddressLine1 = "Storgatan 1",
        PostalCode = "11122",
        City = "Stockholm",
        CountryId = "se",
        LookupKey = key,
    };

    private static ErpInvoiceDraft Invoice(string customer, string reference) => new()
    {
        CustomerNumber = customer,
        DocumentDate = new DateOnly(2026, 5, 4),
        CurrencyId = "SEK",
        Reference = reference,
        InvoiceText = "Webshop order",
        VatZoneId = "SE",
        Lines = [new ErpInvoiceLine { ArticleNumber = "SHIRT", Description = "Shirt", Quantity = 1, UnitPrice = 100m, Amount = 100m, VatCategoryId = "1" }],
        ExpectedNetTotal = 100m,
        ExpectedVatTotal = 25m,
    };

    [Fact]
    public async Task The_whole_repertoire_is_on_contract_and_invoice_and_payment_statuses_are_Vismas_own()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);
        var integration = For(kit);

        Assert.Null(await erp.FindCustomerByEmailAsync(integration, "anna.berg@example.com", Ct));
        var customer = await erp.CreateCustomerAsync(integration, Customer("Anna Berg", key: "centra:42"), Ct);
        Assert.Equal(customer, (await erp.FindCustomerByEmailAsync(integration, "anna.berg@example.com", Ct))!.Number);

        var number = await erp.CreateInvoiceAsync(integration, Invoice(customer, "CENTRA-42"), Ct);
        Assert.Equal(number, Assert.Single(await erp.FindInvoicesByReferenceAsync(integration, "CENTRA-42", Ct)).Number);
        Assert.Equal("Balanced", (await erp.GetInvoiceAsync(integration, number, Ct)).Status);
        await erp.ReleaseInvoiceAsync(integration, number, Ct);
        // Releasing again is refused; the connector reports it as it is (the flow decides by the status, not the words).
        var again = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ReleaseInvoiceAsync(integration, number, Ct));
        Assert.Equal(FailureKind.Rejected, again.Kind);
        var released = await erp.GetInvoiceAsync(integration, number, Ct);
        Assert.Equal("Open", released.Status);
        Assert.Equal(125m, released.Amount);

        var payment = await erp.CreatePaymentAsync(integration, new ErpPaymentDraft
        {
            CustomerNumber = customer, Date = new DateOnly(2026, 5, 4), CurrencyId = "SEK", Reference = "GC-CENTRA-42",
            PaymentMethodId = "GIFTCARD", CashAccount = "2420", Amount = 125m, InvoiceNumber = number,
        }, Ct);
        Assert.Equal("Balanced", (await erp.GetPaymentAsync(integration, payment, Ct)).Status);
        await erp.ReleasePaymentAsync(integration, payment, Ct);
        var paid = await erp.GetPaymentAsync(integration, payment, Ct);
        Assert.Equal(new ErpPaymentRef(payment, "Closed", "GC-CENTRA-42", 125m), paid);
        Assert.Equal(payment, Assert.Single(await erp.FindPaymentsForInvoiceAsync(integration, number, Ct)).Number);
        Assert.Equal("Closed", (await erp.GetInvoiceAsync(integration, number, Ct)).Status);

        Assert.NotEmpty(await erp.GetVatCategoriesAsync(integration, Ct));
        Assert.Single(await erp.FindCustomersByKeyAsync(integration, "centra:42", Ct));
        Assert.Single(await erp.ListInvoicesModifiedSinceAsync(integration, kit.Clock.GetUtcNow().AddHours(-1), Ct));
        await erp.UpdateCustomerAsync(integration, customer, Customer("Anna Berg-Lind", key: "centra:42"), null, Ct);

        var violations = await kit.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("_sandbox/contract/violations", Ct);
        Assert.Equal(0, violations!["count"]!.GetValue<int>());
        ContractAssert.NoVismaViolations(kit.Host.State);
    }

    [Fact]
    public async Task VAT_rates_are_picked_by_startDate_whatever_the_order_of_the_list()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);

        // DE19 has three effective-dated rates; the Sandbox serves them newest first.
        var categories = await erp.GetVatCategoriesAsync(For(kit), Ct);

        var de19 = categories.Single(c => c.Id == "1").Taxes.Single(t => t.TaxId == "DE19");
        Assert.Equal([new DateOnly(2021, 1, 1), new DateOnly(2020, 7, 1), new DateOnly(2007, 1, 1)], de19.Rates.Select(r => r.EffectiveFrom!.Value));
        Assert.Equal(19m, de19.RateOn(new DateOnly(2019, 12, 31)));
        Assert.Equal(16m, de19.RateOn(new DateOnly(2020, 7, 1)));
        Assert.Equal(16m, de19.RateOn(new DateOnly(2020, 12, 31)));
        Assert.Equal(19m, de19.RateOn(new DateOnly(2026, 5, 4)));
        Assert.Equal(1, kit.Host.State.Stats.Count("visma GET /v1/vatCategory"));
    }

    [Fact]
    public async Task Customers_are_found_by_key_in_corporateId_or_in_the_configured_attribute_exact_matches_only()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);
        var byCorporateId = For(kit);
        var byAttribute = For(kit, keyAttribute: "BUYERKEY");

        var a = await erp.CreateCustomerAsync(byCorporateId, Customer("Anna Berg", key: "k-100"), Ct);
        var b = await erp.CreateCustomerAsync(byAttribute, Customer("Bo Ek", key: "k-100"), Ct);
        await erp.CreateCustomerAsync(byAttribute, Customer("Cia Lund", key: "K-100"), Ct);
        await erp.CreateCustomerAsync(byCorporateId, Customer("Dan Sten", key: "K-100"), Ct); // the Sandbox's corporateId filter ignores case

        var customers = kit.Host.State.Visma.Customers(SandboxKit.TenantA);
        Assert.Equal("k-100", customers.Single(c => c.Number == a).CorporateId);
        Assert.Empty(customers.Single(c => c.Number == a).Attributes);
        Assert.Null(customers.Single(c => c.Number == b).CorporateId);
        Assert.Equal("k-100", customers.Single(c => c.Number == b).Attributes["BUYERKEY"]);

        Assert.Equal([a], (await erp.FindCustomersByKeyAsync(byCorporateId, "k-100", Ct)).Select(c => c.Number));
        Assert.Equal([b], (await erp.FindCustomersByKeyAsync(byAttribute, "k-100", Ct)).Select(c => c.Number));
        Assert.Empty(await erp.FindCustomersByKeyAsync(byAttribute, "k-999", Ct));
    }

    [Fact]
    public async Task Invoices_modified_since_are_listed_over_all_pages_with_their_last_modified_time()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);
        var integration = For(kit);
        var customer = await erp.CreateCustomerAsync(integration, Customer("Anna Berg"), Ct);
        var old = await erp.CreateInvoiceAsync(integration, Invoice(customer, "CENTRA-1"), Ct);
        kit.Clock.Advance(TimeSpan.FromMinutes(10));
        var since = kit.Clock.GetUtcNow();
        var fresh = new List<string>();
        for (var i = 0; i < 105; i++) // more than one page (the connector asks for 100 a page)
        {
            fresh.Add(await erp.CreateInvoiceAsync(integration, Invoice(customer, $"CENTRA-{100 + i}"), Ct));
        }

        kit.Clock.Advance(TimeSpan.FromMinutes(5));
        await erp.ReleaseInvoiceAsync(integration, old, Ct); // a change moves lastModifiedDateTime

        var listed = await erp.ListInvoicesModifiedSinceAsync(integration, since, Ct);

        Assert.Equal(fresh.Append(old).Order(StringComparer.Ordinal), listed.Select(i => i.Number).Order(StringComparer.Ordinal));
        Assert.Equal(since, listed.Single(i => i.Number == fresh[0]).LastModified);
        Assert.Equal(since.AddMinutes(5), listed.Single(i => i.Number == old).LastModified);
        Assert.Equal("Open", listed.Single(i => i.Number == old).Status);
        Assert.Equal(2, kit.Host.State.Stats.Count("visma GET /v1/customerinvoice"));
        Assert.Empty(await erp.ListInvoicesModifiedSinceAsync(integration, since.AddMinutes(6), Ct));
    }

    [Fact]
    public async Task Customer_update_uses_the_ETag_and_a_stale_If_Match_is_refused_with_412()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);
        var integration = For(kit);
        var number = await erp.CreateCustomerAsync(integration, Customer("Anna Berg"), Ct);

        using var visma = await VismaClientAsync(kit);
        using var before = await visma.GetAsync($"v1/customer/{number}", Ct);
        var staleETag = before.Headers.ETag!.ToString();

        await erp.UpdateCustomerAsync(integration, number, Customer("Anna Berg-Lind"), null, Ct);
        Assert.Equal("Anna Berg-Lind", kit.Host.State.Visma.Customers(SandboxKit.TenantA).Single().Name);

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() =>
            erp.UpdateCustomerAsync(integration, number, Customer("Someone Else"), staleETag, Ct));
        Assert.Equal(ErrorCodes.ErpVersionConflict, ex.Code);
        Assert.Equal(412, ex.StatusCode);
        Assert.Equal("Anna Berg-Lind", kit.Host.State.Visma.Customers(SandboxKit.TenantA).Single().Name);

        // Raw HTTP: a fresh ETag succeeds with 204 and a new ETag.
        using var current = await visma.GetAsync($"v1/customer/{number}", Ct);
        var etag = current.Headers.ETag!.ToString();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"v1/customer/{number}") { Content = SandboxKit.Json(new { name = SandboxKit.V("Anna B") }) };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        using var ok = await visma.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.NotEqual(etag, ok.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task Every_field_the_emulator_answers_is_in_the_published_response_schema()
    {
        await using var kit = await StartAsync();
        var erp = Erp(kit);
        var integration = For(kit, keyAttribute: "BUYERKEY");
        var customer = await erp.CreateCustomerAsync(integration, Customer("Anna Berg", key: "k-1") with { VatRegistrationId = "SE556677889901" }, Ct);
        var invoice = await erp.CreateInvoiceAsync(integration, Invoice(customer, "CENTRA-9"), Ct);
        await erp.ReleaseInvoiceAsync(integration, invoice, Ct);
        var payment = await erp.CreatePaymentAsync(integration, new ErpPaymentDraft
        {
            CustomerNumber = customer, Date = new DateOnly(2026, 5, 4), CurrencyId = "SEK", Reference = "GC-9",
            PaymentMethodId = "GIFTCARD", CashAccount = "2420", Amount = 10m, InvoiceNumber = invoice,
        }, Ct);
        using var visma = await VismaClientAsync(kit);
        (string Url, string Template)[] reads =
        [
            ($"v1/customer/{customer}", "/v1/customer/{customerCd}"), ("v1/customer", "/v1/customer"),
            ($"v1/customerinvoice/{invoice}", "/v1/customerinvoice/{invoiceNumber}"), ("v1/customerinvoice", "/v1/customerinvoice"),
            ($"v1/customerPayment/{payment}", "/v1/customerPayment/{paymentNumber}"), ("v1/customerPayment", "/v1/customerPayment"),
            ("v1/vatCategory", "/v1/vatCategory"),
        ];

        var problems = new List<string>();
        foreach (var (url, template) in reads)
        {
            using var response = await visma.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var schema = Junipeer.Sandbox.Visma.VismaContract.Instance.Get("GET", template).ResponseSchema!;
            Walk(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)), schema, "GET " + template, problems);
        }

        Assert.True(problems.Count == 0, "The emulator answers fields Visma does not publish:\n" + string.Join("\n", problems));
    }

    private static void Walk(System.Text.Json.Nodes.JsonNode? node, Microsoft.OpenApi.IOpenApiSchema schema, string path, List<string> problems)
    {
        if (node is System.Text.Json.Nodes.JsonArray array && schema.Items is { } items)
        {
            foreach (var item in array)
            {
                Walk(item, items, path + "[]", problems);
            }
        }
        else if (node is System.Text.Json.Nodes.JsonObject obj && schema.Properties is { Count: > 0 } properties)
        {
            foreach (var (key, child) in obj)
            {
                if (properties.TryGetValue(key, out var childSchema))
                {
                    Walk(child, childSchema, $"{path}.{key}", problems);
                }
                else
                {
                    problems.Add($"{path}.{key}");
                }
            }
        }
        else if (node is System.Text.Json.Nodes.JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String
                 && schema.Enum is { Count: > 0 } values && !values.Any(v => v?.GetValue<string>() == value.GetValue<string>()))
        {
            problems.Add($"{path} = '{value.GetValue<string>()}' (not a published enum value)");
        }
    }

    private static async Task<HttpClient> VismaClientAsync(SandboxKit kit)
    {
        using var response = await kit.TokenResponseAsync(secret: "s3cret-value");
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(Ct))!["access_token"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = new Uri(kit.Host.VismaApiBase + "/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
