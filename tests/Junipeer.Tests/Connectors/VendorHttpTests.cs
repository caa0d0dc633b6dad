using Flurl.Http;
using Flurl.Http.Testing;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junipeer.Tests.Connectors;

/// <summary>
/// The shared connector plumbing, exercised through a vendor of its own (not Visma, not Centra): the
/// same retry, Retry-After and rate-limit rules hold for every connector built on it.
/// </summary>
public sealed class VendorHttpTests
{
    private const string Url = "https://api.example.test/v1/things";
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class ExampleProfile : VendorProfile
    {
        public override string Name => "Example";
        public override string UnavailableCode => ErrorCodes.ErpUnavailable;
        public override (string Remaining, string ResetSeconds)? RateLimitHeaders => ("X-Left", "X-Reset");

        public override ConnectorException FromResponse(string operation, VendorResponse response, TimeSpan? retryAfter) => response.StatusCode switch
        {
            429 => new ConnectorException(ErrorCodes.ErpRateLimited, $"slow down ({operation})", FailureKind.RateLimited, 429) { RetryAfter = retryAfter },
            >= 500 => new ConnectorException(ErrorCodes.ErpUnavailable, $"down ({operation})", FailureKind.ServerError, response.StatusCode),
            _ => new ConnectorException(ErrorCodes.ErpRequestRejected, $"refused ({operation}): {response.Body}", FailureKind.Rejected, response.StatusCode),
        };
    }

    private static VendorHttp Http(AutoAdvancingTimeProvider time, int maxWaitSeconds = 10) =>
        new(new ExampleProfile(), time, TimeSpan.FromSeconds(maxWaitSeconds), NullLogger.Instance);

    private static Task<VendorResponse> Send(VendorHttp http, HttpMethod method, bool idempotent, string? window = null) =>
        http.SendAsync(() => new FlurlRequest(Url), method, () => null, "the thing", idempotent, Ct, window);

    [Fact]
    public async Task A_read_is_retried_after_a_server_error_and_succeeds()
    {
        using var test = new HttpTest();
        test.RespondWith("oops", 503).RespondWith("{\"ok\":true}", 200);

        var response = await Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Get, idempotent: true);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(2, test.CallLog.Count);
    }

    [Fact]
    public async Task A_write_is_not_retried_after_a_server_error_because_it_may_have_landed()
    {
        using var test = new HttpTest();
        test.RespondWith("oops", 503).RespondWith("{}", 201);

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Post, idempotent: false));

        Assert.Equal(FailureKind.ServerError, ex.Kind);
        Assert.True(ex.OutcomeUnknown);
        Assert.False(ex.RequestNotSent);
        Assert.Single(test.CallLog);
    }

    [Fact]
    public async Task A_write_answered_429_with_a_short_Retry_After_waits_exactly_that_and_is_sent_again()
    {
        using var test = new HttpTest();
        test.RespondWith("", 429, new { Retry_After = "3" }).RespondWith("{}", 201);
        var time = new AutoAdvancingTimeProvider(Start);

        var response = await Send(Http(time), HttpMethod.Post, idempotent: false);

        Assert.Equal(201, response.StatusCode);
        Assert.Equal(2, test.CallLog.Count);
        Assert.Contains(TimeSpan.FromSeconds(3), time.Delays);
    }

    [Fact]
    public async Task A_long_Retry_After_surfaces_as_not_sent_with_the_wait_for_the_queue()
    {
        using var test = new HttpTest();
        test.RespondWith("", 429, new { Retry_After = "120" });

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Post, idempotent: false));

        Assert.Equal(FailureKind.RateLimited, ex.Kind);
        Assert.True(ex.RequestNotSent);
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Single(test.CallLog);
    }

    [Fact]
    public async Task A_used_up_rate_limit_window_refuses_the_next_call_without_sending_it()
    {
        using var test = new HttpTest();
        test.RespondWith("{}", 200, new { X_Left = "0", X_Reset = "60" });
        var http = Http(new AutoAdvancingTimeProvider(Start));

        await Send(http, HttpMethod.Get, idempotent: true, window: "company-1");
        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Send(http, HttpMethod.Post, idempotent: false, window: "company-1"));

        Assert.Equal(FailureKind.RateLimited, ex.Kind);
        Assert.True(ex.RequestNotSent);
        Assert.Single(test.CallLog); // the second call never left
    }

    [Fact]
    public async Task A_refusal_is_never_retried_and_keeps_the_vendors_words()
    {
        using var test = new HttpTest();
        test.RespondWith("{\"message\":\"field x is unknown\"}", 400);

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Get, idempotent: true));

        Assert.Equal(FailureKind.Rejected, ex.Kind);
        Assert.Contains("field x is unknown", ex.Message, StringComparison.Ordinal);
        Assert.Single(test.CallLog);
    }

    [Fact]
    public async Task A_connection_that_never_opened_was_not_sent_so_even_a_write_is_sent_again()
    {
        using var test = new HttpTest();
        test.SimulateException(new HttpRequestException(HttpRequestError.ConnectionError, "connection refused")).RespondWith("{}", 201);

        var response = await Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Post, idempotent: false);

        Assert.Equal(201, response.StatusCode);
        Assert.Equal(2, test.CallLog.Count);
    }

    [Fact]
    public async Task A_connection_that_broke_after_sending_leaves_a_write_uncertain_and_unretried()
    {
        using var test = new HttpTest();
        test.SimulateException(new HttpRequestException(HttpRequestError.ResponseEnded, "response ended")).RespondWith("{}", 201);

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Send(Http(new AutoAdvancingTimeProvider(Start)), HttpMethod.Post, idempotent: false));

        Assert.Equal(FailureKind.ConnectionLost, ex.Kind);
        Assert.True(ex.OutcomeUnknown);
        Assert.Single(test.CallLog);
    }
}
