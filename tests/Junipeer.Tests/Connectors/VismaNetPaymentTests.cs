using Junipeer.Connectors.Http;
using System.Text.Json;
using Flurl.Http;
using Flurl.Http.Testing;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Connectors;

/// <summary>Customer payments (gift certificates): request shapes, lookup and paging, release, no retry of a POST.</summary>
public class VismaNetPaymentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ErpPaymentDraft Draft() => new()
    {
        CustomerNumber = "10042",
        Date = new DateOnly(2026, 5, 4),
        CurrencyId = "SEK",
        Reference = "GC-CENTRA-1001",
        PaymentMethodId = "GIFTCARD",
        CashAccount = "2420",
        Amount = 150m,
        InvoiceNumber = "000123",
        Text = "Gift certificate, webshop order 1001",
    };

    private static List<FlurlCall> ApiCalls(HttpTest http) => http.CallLog.Where(c => c.Request.Url.ToString().StartsWith(VismaBase, StringComparison.Ordinal)).ToList();

    private static HttpTest NewHttpTest()
    {
        var http = new HttpTest();
        http.ForCallsTo(TokenUrl).RespondWithJson(TokenJson());
        return http;
    }

    [Fact]
    public async Task CreatePayment_sends_a_value_wrapped_PaymentUpdateDto_with_one_bare_operation_line_and_reads_the_Location()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 201, new { Location = "https://api.finance.visma.net/v1/customerPayment/000045" });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var number = await erp.CreatePaymentAsync(Integration(), Draft(), Ct);

        Assert.Equal("000045", number);
        var call = Assert.Single(ApiCalls(http));
        Assert.Equal(HttpMethod.Post, call.Request.Verb);
        Assert.Equal($"{VismaBase}/v1/customerPayment", call.Request.Url.ToString());
        using var doc = JsonDocument.Parse(call.RequestBody);
        var root = doc.RootElement;
        string Wrapped(string name) => root.GetProperty(name).GetProperty("value").GetString()!;
        Assert.Equal("Payment", Wrapped("type"));
        Assert.False(root.GetProperty("hold").GetProperty("value").GetBoolean());
        Assert.Equal("2026-05-04", Wrapped("applicationDate"));
        Assert.Equal("GC-CENTRA-1001", Wrapped("paymentRef"));
        Assert.Equal("10042", Wrapped("customer"));
        Assert.Equal("GIFTCARD", Wrapped("paymentMethod"));
        Assert.Equal("2420", Wrapped("cashAccount"));
        Assert.Equal("SEK", Wrapped("currency"));
        Assert.Equal(150m, root.GetProperty("paymentAmount").GetProperty("value").GetDecimal());
        Assert.Equal("Gift certificate, webshop order 1001", Wrapped("invoiceText"));
        var line = Assert.Single(root.GetProperty("paymentLines").EnumerateArray().ToList());
        Assert.Equal("Insert", line.GetProperty("operation").GetString());
        Assert.Equal("Invoice", line.GetProperty("documentType").GetProperty("value").GetString());
        Assert.Equal("000123", line.GetProperty("refNbr").GetProperty("value").GetString());
        Assert.Equal(150m, line.GetProperty("amountPaid").GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task FindPaymentsForInvoice_filters_by_invoiceRefNbr_pages_by_totalCount_and_drops_other_invoices_and_voided_payments()
    {
        using var http = NewHttpTest();
        var meta = new { totalCount = 3, maxPageSize = 2 };
        object Line(string refNbr, decimal paid) => new { documentType = "Invoice", refNbr, amountPaid = paid };
        http.RespondWithJson(new object[]
            {
                new { type = "Payment", refNbr = "000045", status = "Closed", paymentRef = "GC-CENTRA-1001", paymentAmount = 150m, paymentLines = new[] { Line("000123", 150m) }, metadata = meta },
                new { type = "Payment", refNbr = "000046", status = "Voided", paymentRef = "GC-CENTRA-1001", paymentAmount = 150m, paymentLines = new[] { Line("000123", 150m) }, metadata = meta },
            })
            .RespondWithJson(new object[]
            {
                new { type = "Payment", refNbr = "000047", status = "Closed", paymentRef = "GC-CENTRA-1001", paymentAmount = 99m, paymentLines = new[] { Line("0001234", 99m) }, metadata = meta },
            });
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var found = await erp.FindPaymentsForInvoiceAsync(Integration(), "000123", Ct);

        Assert.Equal([new ErpPaymentRef("000045", "Closed", "GC-CENTRA-1001", 150m)], found);
        var calls = ApiCalls(http);
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.StartsWith($"{VismaBase}/v1/customerPayment?", c.Request.Url.ToString(), StringComparison.Ordinal));
        Assert.All(calls, c => Assert.Equal("000123", c.Request.Url.QueryParams.FirstOrDefault("invoiceRefNbr")));
        Assert.Equal("2", calls[1].Request.Url.QueryParams.FirstOrDefault("pageNumber")?.ToString());
    }

    [Fact]
    public async Task ReleasePayment_posts_the_wrapped_type_and_a_refused_second_release_is_reported_as_rejected()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { actionId = "a1", actionResult = "Done", errorInfo = (string?)null })
            .RespondWithJson(new { message = "VismaId: 22222222-2222-3333-4444-555555555555. Document is already released." }, 400);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        await erp.ReleasePaymentAsync(Integration(), "000045", Ct);
        var again = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.ReleasePaymentAsync(Integration(), "000045", Ct));
        Assert.Equal(ErrorCodes.ErpRequestRejected, again.Code);

        var calls = ApiCalls(http);
        Assert.Equal(2, calls.Count);
        Assert.Equal($"{VismaBase}/v1/customerPayment/000045/action/release", calls[0].Request.Url.ToString());
        using var doc = JsonDocument.Parse(calls[0].RequestBody);
        Assert.Equal("Payment", doc.RootElement.GetProperty("type").GetProperty("value").GetString());
    }

    [Fact]
    public async Task POST_payment_on_500_or_timeout_is_not_retried()
    {
        using var http = NewHttpTest();
        http.RespondWith("", 500).SimulateTimeout();
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var five = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreatePaymentAsync(Integration(), Draft(), Ct));
        var timeout = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreatePaymentAsync(Integration(), Draft(), Ct));

        Assert.Equal(ErrorCodes.ErpUnavailable, five.Code);
        Assert.Equal(FailureKind.Timeout, timeout.Kind);
        Assert.Equal(2, ApiCalls(http).Count);
    }

    [Fact]
    public async Task Unknown_payment_method_400_is_ERP_REQUEST_REJECTED_naming_the_payment_create()
    {
        using var http = NewHttpTest();
        http.RespondWithJson(new { message = "VismaId: 33333333-2222-3333-4444-555555555555. Error creating payment. Payment method 'GIFT' cannot be found in the system." }, 400);
        var erp = Erp(new AutoAdvancingTimeProvider(Start));

        var ex = await Assert.ThrowsAsync<VismaNetApiException>(() => erp.CreatePaymentAsync(Integration(), Draft() with { PaymentMethodId = "GIFT" }, Ct));

        Assert.Equal(ErrorCodes.ErpRequestRejected, ex.Code);
        Assert.Contains("customer payment create", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Payment method 'GIFT'", ex.Message, StringComparison.Ordinal);
    }
}
