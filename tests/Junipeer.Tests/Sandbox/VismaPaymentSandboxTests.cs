using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Sandbox;

/// <summary>The emulated /v1/customerPayment over real HTTP: create, validation, lookup, release and invoice balance.</summary>
public class VismaPaymentSandboxTests
{
    /// <summary>A 125.00 SEK invoice (100 net + 25 VAT) for the customer, released unless told otherwise; returns its number.</summary>
    private static async Task<string> InvoiceAsync(HttpClient visma, string customer, bool release = true, string currency = "SEK")
    {
        using var created = await visma.PostAsJsonAsync("v2/customerinvoice", new
        {
            customerNumber = V(customer),
            documentDate = V("2026-05-04"),
            currencyId = V(currency),
            customerRefNumber = V("CENTRA-" + Guid.NewGuid().ToString("N")[..6]),
            invoiceLines = new object[] { new { operation = "Insert", inventoryNumber = V("SHIRT"), quantity = V(1), unitPriceInCurrency = V(100m), vatCodeId = V("1") } },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var number = created.Headers.Location!.Segments[^1];
        if (release)
        {
            using var released = await visma.PostAsync($"v1/customerinvoice/{number}/action/release", null, Ct);
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        return number;
    }

    private static object Payment(string customer, string invoice, decimal amount, decimal? paid = null, string method = "GIFTCARD", string cash = "2420",
        string currency = "SEK", string reference = "GC-CENTRA-1") => new
    {
        type = V("Payment"),
        hold = V(false),
        applicationDate = V("2026-05-04"),
        paymentRef = V(reference),
        customer = V(customer),
        paymentMethod = V(method),
        cashAccount = V(cash),
        currency = V(currency),
        paymentAmount = V(amount),
        invoiceText = V("Gift certificate"),
        paymentLines = new object[] { new { operation = "Insert", documentType = V("Invoice"), refNbr = V(invoice), amountPaid = V(paid ?? amount) } },
    };

    [Fact]
    public async Task Payment_is_created_from_the_series_listed_by_invoice_and_released_against_the_invoice_balance()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        var invoice = await InvoiceAsync(visma, customer);
        var other = await InvoiceAsync(visma, customer);

        using var created = await visma.PostAsJsonAsync("v1/customerPayment", Payment(customer, invoice, 40m), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith("/visma/v1/customerPayment/000001", created.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(await created.Content.ReadAsByteArrayAsync(Ct));

        using var get = await visma.GetAsync(created.Headers.Location, Ct);
        var payment = await ObjectAsync(get);
        Assert.Equal("Payment", payment["type"]!.GetValue<string>());
        Assert.Equal("000001", payment["refNbr"]!.GetValue<string>());
        Assert.Equal("Balanced", payment["status"]!.GetValue<string>());
        Assert.Equal("GC-CENTRA-1", payment["paymentRef"]!.GetValue<string>());
        Assert.Equal(customer, payment["customer"]!["number"]!.GetValue<string>());
        Assert.Equal("GIFTCARD", payment["paymentMethod"]!["id"]!.GetValue<string>());
        Assert.Equal("2420", payment["cashAccount"]!.GetValue<string>());
        Assert.Equal(40m, D(payment["paymentAmount"]));
        var line = Assert.Single(payment["paymentLines"]!.AsArray());
        Assert.Equal(invoice, line!["refNbr"]!.GetValue<string>());
        Assert.Equal(40m, D(line["amountPaid"]));

        using (var second = await visma.PostAsJsonAsync("v1/customerPayment", Payment(customer, other, 10m, reference: "GC-OTHER"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        using var byInvoice = await visma.GetAsync($"v1/customerPayment?invoiceRefNbr={invoice}&pageNumber=1&pageSize=100", Ct);
        var list = await ArrayAsync(byInvoice);
        var only = Assert.Single(list);
        Assert.Equal("000001", only!["refNbr"]!.GetValue<string>());
        Assert.Equal(1, only["metadata"]!["totalCount"]!.GetValue<int>());
        using var byCustomer = await visma.GetAsync($"v1/customerPayment?customer={customer}&pageNumber=2&pageSize=1", Ct);
        Assert.Equal("000002", Assert.Single(await ArrayAsync(byCustomer))!["refNbr"]!.GetValue<string>());

        using var release = await visma.PostAsync("v1/customerPayment/000001/action/release", Json(new { type = V("Payment") }), Ct);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal("Done", (await ObjectAsync(release))["actionResult"]!.GetValue<string>());
        using var again = await visma.PostAsync("v1/customerPayment/000001/action/release", Json(new { type = V("Payment") }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already released", (await ObjectAsync(again))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var truth = kit.Host.State.Visma;
        var inv = truth.Invoices(TenantA).Single(i => i.ReferenceNumber == invoice);
        Assert.Equal(125m, inv.Amount);
        Assert.Equal(85m, inv.Balance);
        Assert.Equal("Open", inv.Status);
        Assert.Equal(125m, truth.Invoices(TenantA).Single(i => i.ReferenceNumber == other).Balance); // its payment is not released
        var snapshot = truth.Payments(TenantA).Single(p => p.RefNbr == "000001");
        Assert.Equal("Closed", snapshot.Status);
        Assert.Equal(invoice, Assert.Single(snapshot.Lines).RefNbr);
        using var ground = await kit.Http.GetAsync($"_sandbox/visma/{TenantA}/payments", Ct);
        Assert.Equal(2, (await ArrayAsync(ground)).Count);

        // Paying the rest closes the invoice.
        using (var rest = await visma.PostAsJsonAsync("v1/customerPayment", Payment(customer, invoice, 85m, reference: "PSP-1", method: "CARD", cash: "1930"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
            using var r = await visma.PostAsync($"v1/customerPayment/{rest.Headers.Location!.Segments[^1]}/action/release", Json(new { type = V("Payment") }), Ct);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        inv = truth.Invoices(TenantA).Single(i => i.ReferenceNumber == invoice);
        Assert.Equal(0m, inv.Balance);
        Assert.Equal("Closed", inv.Status);
        using var invoiceRead = await visma.GetAsync($"v1/customerinvoice/{invoice}", Ct);
        Assert.Equal(0m, D((await ObjectAsync(invoiceRead))["balance"]));
    }

    [Fact]
    public async Task Payments_that_break_the_rules_are_rejected_with_a_Visma_message()
    {
        await using var kit = await StartAsync();
        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna", "anna@example.com");
        var someoneElse = await CreateCustomerAsync(visma, "Bo", "bo@example.com");
        var invoice = await InvoiceAsync(visma, customer);
        var unreleased = await InvoiceAsync(visma, customer, release: false);

        var cases = new (object Body, string Expected)[]
        {
            (Payment("99999", invoice, 10m), "Customer '99999' cannot be found"),
            (Payment(customer, invoice, 10m, method: "NOPE"), "Payment method 'NOPE' cannot be found"),
            (Payment(customer, invoice, 10m, cash: "9999"), "Cash account '9999' cannot be found"),
            (Payment(customer, "777777", 10m), "AdjdRefNbr '777777' cannot be found"),
            (Payment(someoneElse, invoice, 10m), "belongs to customer"),
            (Payment(customer, unreleased, 10m), "only released (Open) documents"),
            (Payment(customer, invoice, 10m, currency: "EUR"), "differs from the currency SEK"),
            (Payment(customer, invoice, 125.01m), "exceeds the balance 125"),
            (Payment(customer, invoice, 50m, paid: 40m), "differs from the applied amount 40"),
        };
        foreach (var (body, expected) in cases)
        {
            using var response = await visma.PostAsJsonAsync("v1/customerPayment", body, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var message = (await ObjectAsync(response))["message"]!.GetValue<string>();
            Assert.StartsWith("VismaId: ", message, StringComparison.Ordinal);
            Assert.Contains(expected, message, StringComparison.Ordinal);
        }

        Assert.Empty(kit.Host.State.Visma.Payments(TenantA));
        using var missing = await visma.GetAsync("v1/customerPayment/000404", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Payment_endpoints_sit_behind_auth_and_the_fault_knobs()
    {
        await using var kit = await StartAsync();
        using var anonymous = await kit.Http.GetAsync(new Uri(kit.Host.VismaApiBase + "/v1/customerPayment"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var visma = await kit.VismaClientAsync();
        var customer = await CreateCustomerAsync(visma, "Anna");
        var invoice = await InvoiceAsync(visma, customer);
        kit.Host.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => visma.PostAsJsonAsync("v1/customerPayment", Payment(customer, invoice, 25m), Ct));
        kit.Host.State.Faults.VismaCommitThenDropRate = 0;

        // The write committed although the client saw a failure: the lookup by invoice finds it.
        Assert.Single(kit.Host.State.Visma.Payments(TenantA));
        using var lookup = await visma.GetAsync($"v1/customerPayment?invoiceRefNbr={invoice}", Ct);
        Assert.Equal("GC-CENTRA-1", Assert.Single(await ArrayAsync(lookup))!["paymentRef"]!.GetValue<string>());
        Assert.Equal(1, kit.Host.State.Stats.Count("visma POST /v1/customerPayment"));
    }
}
