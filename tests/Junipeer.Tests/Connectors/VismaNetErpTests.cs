using Junipeer.Connectors.Http;
using System.Text.Json;
using Flurl.Http;
using Flurl.Http.Testing;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Connectors;

public class VismaNetErpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ErpInvoiceDraft Draft() => new()
    {
        CustomerNumber = "10042",
        DocumentDate = new DateOnly(2026, 5, 4),
        CurrencyId = "SEK",
        Reference = "CENTRA-1001",
        InvoiceText = "Webshop order 1001",
        VatZoneId = "SE",
        Note = "Paid by card",
        Lines =
        [
            new ErpInvoiceLine { ArticleNumber = "SHIRT-M", Description = "Shirt M", Quantity = 2, UnitPrice = 80m, DiscountAmount = 10m, Amount = 150m, VatCategoryId = "1" },
        ],
        TaxOverrides = [new ErpTaxOverride("MP1", 150m, 37.5m)],
        ExpectedNetTotal = 150m,
        ExpectedVatTotal = 37.5m,
    };

    private static List<FlurlCall> ApiCalls(HttpTest http) => http.CallLog.Where(c => c.Request.Url.ToString().StartsWith(VismaBase, StringComparison.Ordinal)).ToList();

    private static HttpTest NewHttpTest()
    {
        var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson());
        return http;
    }

    [Fact]
    public async Task CreateInvoice_sends_value_wrapped_body_and_reads_number_from_absolute_Location_without_a_read_back()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 201, new { Location = "https://api.finance.visma.net/v1/customerinvoice/000123" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var number = await erp.CreateInvoiceAsync(Integration(), Draft(), Ct);

        Assert.Equal("000123", number);
        var call = Assert.Single(ApiCalls(http));
        Assert.Equal(HttpMethod.Post, call.Request.Verb);
        Assert.Equal($"{VismaBase}/v2/customerinvoice", call.Request.Url.ToString());
        Assert.Equal("Bearer tok-1", call.Request.Headers.FirstOrDefault("Authorization"));
        Assert.Equal("Junipeer/1.0", call.Request.Headers.FirstOrDefault("User-Agent"));

        using var doc = JsonDocument.Parse(call.RequestBody);
        var root = doc.RootElement;
        Assert.Equal("10042", root.GetProperty("customerNumber").GetProperty("value").GetString());
        Assert.Equal("2026-05-04", root.GetProperty("documentDate").GetProperty("value").GetString());
        Assert.Equal("CENTRA-1001", root.GetProperty("customerRefNumber").GetProperty("value").GetString());
        Assert.Equal("CENTRA-1001", root.GetProperty("externalReference").GetProperty("value").GetString());
        Assert.Equal("SE", root.GetProperty("customerVatZoneId").GetProperty("value").GetString());
        Assert.False(root.GetProperty("hold").GetProperty("value").GetBoolean());
        Assert.Equal("Paid by card", root.GetProperty("note").GetProperty("value").GetString());

        var lines = root.GetProperty("invoiceLines");
        Assert.Equal(JsonValueKind.Array, lines.ValueKind);
        var line = Assert.Single(lines.EnumerateArray().ToList());
        Assert.Equal("Insert", line.GetProperty("operation").GetString());
        Assert.Equal("SHIRT-M", line.GetProperty("inventoryNumber").GetProperty("value").GetString());
        Assert.Equal(2m, line.GetProperty("quantity").GetProperty("value").GetDecimal());
        Assert.Equal(80m, line.GetProperty("unitPriceInCurrency").GetProperty("value").GetDecimal());
        Assert.Equal(150m, line.GetProperty("manualAmountInCurrency").GetProperty("value").GetDecimal());
        Assert.Equal(10m, line.GetProperty("discountAmountInCurrency").GetProperty("value").GetDecimal());
        Assert.Equal("1", line.GetProperty("vatCodeId").GetProperty("value").GetString());
        Assert.False(line.TryGetProperty("uom", out _), "null fields are omitted");

        var tax = Assert.Single(root.GetProperty("taxDetailLines").EnumerateArray().ToList());
        Assert.Equal("MP1", tax.GetProperty("taxId").GetProperty("value").GetString());
        Assert.Equal(37.5m, tax.GetProperty("vatAmount").GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task Known_customer_order_costs_exactly_two_Visma_calls_create_and_release()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 201, new { Location = "https://other-host.example/v1/customerinvoice/000777" })
            .RespondWithJson(new { actionId = "a1", actionResult = "Done", errorInfo = (string?)null });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var number = await erp.CreateInvoiceAsync(Integration(), Draft(), Ct);
        await erp.ReleaseInvoiceAsync(Integration(), number, Ct);

        var calls = ApiCalls(http);
        Assert.Equal(2, calls.Count);
        Assert.Equal($"{VismaBase}/v1/customerinvoice/000777/action/release", calls[1].Request.Url.ToString());
        Assert.Null(calls[1].RequestBody); // the published release operation declares no body
    }

    [Fact]
    public async Task CreateCustomer_omits_number_sends_bare_overrideWithClassValues_and_attribute_lines()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 201, new { Location = $"{VismaBase}/v1/customer/10043" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));
        var draft = new ErpCustomerDraft
        {
            Name = "Anna Berg",
            Email = "anna@example.com",
            CustomerClassId = "WEB",
            VatZoneId = "SE",
            CurrencyId = "SEK",
            AddressLine1 = "Storgatan 1",
            PostalCode = "11122",
            City = "Stockholm",
            CountryId = "se",
            ExternalIdAttribute = "CENTRAID",
            ExternalId = "c-123",
        };

        var number = await erp.CreateCustomerAsync(Integration(), draft, Ct);

        Assert.Equal("10043", number);
        var call = Assert.Single(ApiCalls(http));
        using var doc = JsonDocument.Parse(call.RequestBody);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("number", out _));
        Assert.Equal(JsonValueKind.True, root.GetProperty("overrideWithClassValues").ValueKind);
        Assert.Equal("WEB", root.GetProperty("customerClassId").GetProperty("value").GetString());
        Assert.Equal("SE", root.GetProperty("vatZoneId").GetProperty("value").GetString());
        Assert.Equal("SE", root.GetProperty("mainAddress").GetProperty("value").GetProperty("countryId").GetProperty("value").GetString());
        Assert.Equal("anna@example.com", root.GetProperty("mainContact").GetProperty("value").GetProperty("email").GetProperty("value").GetString());
        var attribute = Assert.Single(root.GetProperty("attributeLines").EnumerateArray().ToList());
        Assert.Equal("CENTRAID", attribute.GetProperty("attributeId").GetProperty("value").GetString());
        Assert.Equal("c-123", attribute.GetProperty("attributeValue").GetProperty("value").GetString());
    }

    [Fact]
    public async Task FindInvoicesByReference_pages_by_totalCount_and_keeps_exact_matches_only()
    {
        using var http = NewHttpTest();
        var meta = new { totalCount = 3, maxPageSize = 2 };
        http.RespondWithJson(new object[]
            {
                new { referenceNumber = "000100", status = "Open", amountInCurrency = 187.5m, vatTotal = 37.5m, customerRefNumber = "CENTRA-1001", metadata = meta },
                new { referenceNumber = "000101", status = "Open", amountInCurrency = 10m, vatTotal = 2m, customerRefNumber = "CENTRA-10011", metadata = meta },
            })
            .RespondWithJson(new object[]
            {
                new { referenceNumber = "000102", status = "Balanced", amountInCurrency = 187.5m, vatTotal = 37.5m, customerRefNumber = "CENTRA-1001", metadata = meta },
            });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var found = await erp.FindInvoicesByReferenceAsync(Integration(), "CENTRA-1001", Ct);

        Assert.Equal(["000100", "000102"], found.Select(f => f.Number).ToArray());
        Assert.Equal(187.5m, found[0].Amount);
        Assert.Equal("Balanced", found[1].Status);
        var calls = ApiCalls(http);
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("CENTRA-1001", c.Request.Url.QueryParams.FirstOrDefault("customerRefNumber")));
        Assert.Equal("1", calls[0].Request.Url.QueryParams.FirstOrDefault("pageNumber")?.ToString());
        Assert.Equal("2", calls[1].Request.Url.QueryParams.FirstOrDefault("pageNumber")?.ToString());
    }

    [Fact]
    public async Task A_modified_invoice_listing_whose_total_changes_while_paging_is_reported_incomplete_not_truncated()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new object[]
            {
                new { referenceNumber = "000100", customerRefNumber = "CENTRA-1", lastModifiedDateTime = "2026-05-01T10:00:00", metadata = new { totalCount = 3, maxPageSize = 2 } },
                new { referenceNumber = "000101", customerRefNumber = "CENTRA-2", lastModifiedDateTime = "2026-05-01T10:00:00", metadata = new { totalCount = 3, maxPageSize = 2 } },
            })
            .RespondWithJson(new object[]
            {
                new { referenceNumber = "000103", customerRefNumber = "CENTRA-4", lastModifiedDateTime = "2026-05-01T10:00:00", metadata = new { totalCount = 4, maxPageSize = 2 } },
            });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ListInvoicesModifiedSinceAsync(Integration(), Start.AddDays(-1), Ct));

        Assert.Equal(ErrorCodes.ErpLookupIncomplete, ex.Code);
        Assert.Contains("total changed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_page_listing_with_documents_modified_during_the_read_cannot_vouch_for_absence()
    {
        using var http = NewHttpTest();
        var meta = new { totalCount = 3, maxPageSize = 2 };
        var now = Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        http.RespondWithJson(new object[]
            {
                new { referenceNumber = "000100", customerRefNumber = "CENTRA-1", lastModifiedDateTime = "2026-05-01T10:00:00", metadata = meta },
                new { referenceNumber = "000101", customerRefNumber = "CENTRA-2", lastModifiedDateTime = "2026-05-01T10:00:00", metadata = meta },
            })
            .RespondWithJson(new object[]
            {
                new { referenceNumber = "000102", customerRefNumber = "CENTRA-3", lastModifiedDateTime = now, metadata = meta },
            });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ListInvoicesModifiedSinceAsync(Integration(), Start.AddDays(-1), Ct));

        Assert.Equal(ErrorCodes.ErpLookupIncomplete, ex.Code);
    }

    [Fact]
    public async Task FindCustomerByEmail_matches_exactly_ignoring_case()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new object[]
        {
            new { number = "10001", name = "Other", mainContact = new { email = "anna@example.com.evil" }, metadata = new { totalCount = 2, maxPageSize = 1000 } },
            new { number = "10002", name = "Anna Berg", mainContact = new { email = "Anna@Example.com" }, metadata = new { totalCount = 2, maxPageSize = 1000 } },
        });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var customer = await erp.FindCustomerByEmailAsync(Integration(), "anna@example.com", Ct);

        Assert.NotNull(customer);
        Assert.Equal("10002", customer.Number);
        var call = Assert.Single(ApiCalls(http));
        Assert.StartsWith($"{VismaBase}/v1/customer?", call.Request.Url.ToString(), StringComparison.Ordinal);
        Assert.Equal("anna@example.com", call.Request.Url.QueryParams.FirstOrDefault("email"));
    }

    [Fact]
    public async Task Customer_series_exhausted_maps_to_its_code_and_keeps_Visma_text_and_id()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { message = "VismaId: 6c6eb585-da38-4765-b80d-e9552a8721f8. Cannot generate the next number for the CUSTOMER sequence." }, 400);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() =>
            erp.CreateCustomerAsync(Integration(), new ErpCustomerDraft { Name = "X", CustomerClassId = "WEB" }, Ct));

        Assert.Equal(ErrorCodes.CustomerNumberSeriesExhausted, ex.Code);
        Assert.Contains("Cannot generate the next number for the CUSTOMER sequence", ex.Message, StringComparison.Ordinal);
        Assert.Contains("6c6eb585-da38-4765-b80d-e9552a8721f8", ex.Message, StringComparison.Ordinal);
        Assert.Equal("6c6eb585-da38-4765-b80d-e9552a8721f8", ex.VismaId);
        Assert.False(ex.Retryable);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task Other_400_is_ERP_REQUEST_REJECTED_with_Visma_message()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { message = "VismaId: 11111111-2222-3333-4444-555555555555. VAT category 'XX' cannot be found in the system." }, 400);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreateInvoiceAsync(Integration(), Draft(), Ct));

        Assert.Equal(ErrorCodes.ErpRequestRejected, ex.Code);
        Assert.Contains("VAT category 'XX' cannot be found in the system.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(400, ex.StatusCode);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task Unauthorized_refreshes_the_token_once_then_fails_with_ERP_AUTH_FAILED_and_12027_hint()
    {
        using var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson("tok-1")).RespondWithJson(TokenJson("tok-2"));
        http.RespondWithJson(new
        {
            ExceptionType = "IPPException",
            ExceptionMessage = "No license for this company.",
            ExceptionFaultCode = "12027",
            ExceptionMessageID = "12027_6e2a06a8-76d8-4e9a-bce8-a5818d60a388",
            ExceptionDetails = "",
        }, 401);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.GetInvoiceAsync(Integration(), "000100", Ct));

        Assert.Equal(ErrorCodes.ErpAuthFailed, ex.Code);
        Assert.Contains("12027", ex.Message, StringComparison.Ordinal);
        Assert.Contains("No license for this company.", ex.Message, StringComparison.Ordinal);
        var calls = ApiCalls(http);
        Assert.Equal(2, calls.Count);
        Assert.Equal("Bearer tok-1", calls[0].Request.Headers.FirstOrDefault("Authorization"));
        Assert.Equal("Bearer tok-2", calls[1].Request.Headers.FirstOrDefault("Authorization"));
        Assert.DoesNotContain("tok-", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Short_429_on_a_POST_is_waited_out_in_process_and_retried()
    {
        using var http = NewHttpTest();
        http.RespondWith("{\"message\":\"Too many requests\"}", 429, new { Retry_After = "3" })
            .RespondWith("", 201, new { Location = $"{VismaBase}/v1/customerinvoice/000200" });
        var time = new AutoAdvancingTimeProvider(Start);
        var erp = Erp(time);

        var number = await erp.CreateInvoiceAsync(Integration(), Draft(), Ct);

        Assert.Equal("000200", number);
        Assert.Equal(2, ApiCalls(http).Count);
        Assert.Contains(TimeSpan.FromSeconds(3), time.Delays);
    }

    [Fact]
    public async Task Long_429_throws_ERP_RATE_LIMITED_with_RetryAfter_and_no_retry()
    {
        using var http = NewHttpTest();
        http.RespondWith("{\"message\":\"Too many requests\"}", 429, new { Retry_After = "120" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.FindInvoicesByReferenceAsync(Integration(), "CENTRA-1", Ct));

        Assert.Equal(ErrorCodes.ErpRateLimited, ex.Code);
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.True(ex.Retryable);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task Retry_After_as_HTTP_date_is_honoured()
    {
        using var http = NewHttpTest();
        var retryAt = Start.AddMinutes(10).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        http.RespondWith("", 429, new { Retry_After = retryAt });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ReleaseInvoiceAsync(Integration(), "000100", Ct));

        Assert.Equal(ErrorCodes.ErpRateLimited, ex.Code);
        Assert.Equal(TimeSpan.FromMinutes(10), ex.RetryAfter);
    }

    [Fact]
    public async Task POST_invoice_on_500_is_not_retried()
    {
        using var http = NewHttpTest();
        http.RespondWith("{\"message\":\"VismaId: 0a0a0a0a-0000-0000-0000-000000000000. Internal error\"}", 500);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreateInvoiceAsync(Integration(), Draft(), Ct));

        Assert.Equal(ErrorCodes.ErpUnavailable, ex.Code);
        Assert.True(ex.Retryable);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task POST_invoice_on_timeout_is_not_retried()
    {
        using var http = NewHttpTest();
        http.SimulateTimeout();
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreateInvoiceAsync(Integration(), Draft(), Ct));

        Assert.Equal(ErrorCodes.ErpUnavailable, ex.Code);
        Assert.Equal(FailureKind.Timeout, ex.Kind);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task POST_invoice_is_retried_when_the_connection_was_refused_before_sending()
    {
        using var http = NewHttpTest();
        http.SimulateException(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"))
            .RespondWith("", 201, new { Location = $"{VismaBase}/v1/customerinvoice/000300" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var number = await erp.CreateInvoiceAsync(Integration(), Draft(), Ct);

        Assert.Equal("000300", number);
        Assert.Equal(2, ApiCalls(http).Count);
    }

    [Fact]
    public async Task GET_on_500_500_200_succeeds_after_three_calls()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 500)
            .RespondWith("", 503)
            .RespondWithJson(new { referenceNumber = "000100", status = "Open", amountInCurrency = 125m, vatTotal = 25m, customerRefNumber = "CENTRA-1001" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var invoice = await erp.GetInvoiceAsync(Integration(), "000100", Ct);

        Assert.Equal(new ErpInvoiceRef("000100", "Open", 125m, 25m, "CENTRA-1001"), invoice);
        Assert.Equal(3, ApiCalls(http).Count);
    }

    [Fact]
    public async Task Release_Failed_action_result_is_an_error()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { actionId = "a1", actionResult = "Failed", errorInfo = "Document is out of balance." });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ReleaseInvoiceAsync(Integration(), "000100", Ct));

        Assert.Equal(ErrorCodes.ErpRequestRejected, ex.Code);
        Assert.Contains("Document is out of balance.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_release_is_reported_whatever_its_wording_says()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { message = "VismaId: 22222222-2222-3333-4444-555555555555. Document is already released" }, 400);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        // No guessing from Visma's words: the rails read the invoice's status to decide (ActOnceAsync).
        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ReleaseInvoiceAsync(Integration(), "000100", Ct));
        Assert.Equal(ErrorCodes.ErpRequestRejected, ex.Code);

        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task VAT_categories_are_mapped_and_cached_per_integration_for_the_configured_time()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new object[]
        {
            new
            {
                vatCategoryId = "1", description = "Standard", active = true,
                vatCategoryLines = new[] { new { vatId = "MP1", vatRates = new[] { new { startDate = "2020-01-01T00:00:00", vatRate = 25m } } } },

            },
        });
        var time = new AutoAdvancingTimeProvider(Start);
        var erp = Erp(time, Options(vatCacheSeconds: 600));

        var first = await erp.GetVatCategoriesAsync(Integration(), Ct);
        var second = await erp.GetVatCategoriesAsync(Integration(), Ct);
        var other = await erp.GetVatCategoriesAsync(Integration("other-co"), Ct);
        time.Advance(TimeSpan.FromSeconds(601));
        await erp.GetVatCategoriesAsync(Integration(), Ct);

        var category = Assert.Single(first);
        Assert.Equal("1", category.Id);
        var tax = Assert.Single(category.Taxes);
        Assert.Equal("MP1", tax.TaxId);
        Assert.Equal(25m, tax.RateOn(new DateOnly(2026, 5, 4)));
        Assert.Same(first, second);
        Assert.Single(other);
        Assert.Equal(3, ApiCalls(http).Count);
    }

    [Fact]
    public async Task RateLimit_Remaining_zero_with_a_long_reset_stops_the_next_call_before_sending()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { referenceNumber = "000100", status = "Open", amountInCurrency = 1m, vatTotal = 0m }, 200,
            new { X_RateLimit_Remaining = "0", X_RateLimit_Reset = "1800", X_RateLimit_Limit = "5000" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        await erp.GetInvoiceAsync(Integration(), "000100", Ct);
        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.GetInvoiceAsync(Integration(), "000100", Ct));

        Assert.Equal(ErrorCodes.ErpRateLimited, ex.Code);
        Assert.Equal(TimeSpan.FromSeconds(1800), ex.RetryAfter);
        Assert.Single(ApiCalls(http));
    }

    [Fact]
    public async Task RateLimit_Remaining_zero_with_a_short_reset_waits_then_sends()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { referenceNumber = "000100", status = "Open", amountInCurrency = 1m, vatTotal = 0m }, 200,
            new { X_RateLimit_Remaining = "0", X_RateLimit_Reset = "4" });
        var time = new AutoAdvancingTimeProvider(Start);
        var erp = Erp(time);

        await erp.GetInvoiceAsync(Integration(), "000100", Ct);
        await erp.GetInvoiceAsync(Integration(), "000100", Ct);

        Assert.Equal(2, ApiCalls(http).Count);
        Assert.Contains(TimeSpan.FromSeconds(4), time.Delays);
    }

    [Fact]
    public void Resolver_returns_VismaNet_and_rejects_other_kinds()
    {
        var erp = Erp(new AutoAdvancingTimeProvider(Start));
        var resolver = new ErpResolver([erp]);

        Assert.Same(erp, resolver.For(Integration()));
        var fortnox = Integration() with { Erp = new Core.Integrations.ErpSettings { Kind = Core.Integrations.ErpKinds.Fortnox } };
        var ex = Assert.Throws<JunipeerException>(() => resolver.For(fortnox));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, ex.Code);
    }
}
