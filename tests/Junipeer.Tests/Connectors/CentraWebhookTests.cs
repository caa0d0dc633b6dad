using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junipeer.Connectors.Centra;
using Junipeer.Core.Errors;
using Microsoft.Extensions.Time.Testing;

namespace Junipeer.Tests.Connectors;

public class CentraWebhookTests
{
    private const string Body = "payload=%7B%22x%22%3A%22test%22%7D";
    private const long T = 12345678;

    private static string Sign(string secret, long t, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));

    private static CentraWebhookVerifier VerifierAt(long unixNow) => new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixNow)));

    [Fact]
    public void Known_answer_from_Centra_docs_is_valid()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData("test123"u8.ToArray(), "12345678.payload=%7B%22x%22%3A%22test%22%7D"u8.ToArray()));

        var result = VerifierAt(T + 10).Verify($"t=12345678,v1={expected}", Body, "test123");

        Assert.True(result.IsValid);
        Assert.Null(result.ErrorCode);
    }

    [Fact]
    public void Tolerates_spaces_and_several_v1_values()
    {
        var result = VerifierAt(T).Verify($" t=12345678 , v1=deadbeef , v1={Sign("test123", T, Body)} ", Body, "test123");

        Assert.Equal(WebhookVerificationStatus.Valid, result.Status);
    }

    [Fact]
    public void Tampered_body_is_invalid()
    {
        var result = VerifierAt(T).Verify($"t={T},v1={Sign("test123", T, Body)}", Body.Replace("test", "tess", StringComparison.Ordinal), "test123");

        Assert.Equal(WebhookVerificationStatus.Invalid, result.Status);
        Assert.Equal(ErrorCodes.WebhookSignatureInvalid, result.ErrorCode);
    }

    [Fact]
    public void Wrong_secret_is_invalid()
    {
        var result = VerifierAt(T).Verify($"t={T},v1={Sign("other-secret", T, Body)}", Body, "test123");

        Assert.Equal(ErrorCodes.WebhookSignatureInvalid, result.ErrorCode);
        Assert.DoesNotContain("test123", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Previous_secret_is_accepted_during_rotation()
    {
        var result = VerifierAt(T).Verify($"t={T},v1={Sign("old-secret", T, Body)}", Body, "new-secret", previousSecret: "old-secret");

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Stale_or_future_timestamps_are_rejected(int offsetSeconds)
    {
        var t = T + offsetSeconds;
        var result = VerifierAt(T).Verify($"t={t},v1={Sign("test123", t, Body)}", Body, "test123");

        Assert.Equal(WebhookVerificationStatus.Stale, result.Status);
        Assert.Equal(ErrorCodes.WebhookTimestampOutOfTolerance, result.ErrorCode);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Timestamps_at_the_tolerance_edge_are_accepted(int offsetSeconds)
    {
        var t = T + offsetSeconds;
        var result = VerifierAt(T).Verify($"t={t},v1={Sign("test123", t, Body)}", Body, "test123", toleranceSeconds: 300);

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_header_is_reported_as_missing(string? header)
    {
        var result = VerifierAt(T).Verify(header, Body, "test123");

        Assert.Equal(WebhookVerificationStatus.Missing, result.Status);
        Assert.Equal(ErrorCodes.WebhookSignatureMissing, result.ErrorCode);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("t=12345678")]
    [InlineData("v1=abcdef")]
    public void Header_without_t_or_v1_is_reported_as_missing(string header)
    {
        Assert.Equal(ErrorCodes.WebhookSignatureMissing, VerifierAt(T).Verify(header, Body, "test123").ErrorCode);
    }

    [Theory]
    [InlineData("t=notanumber,v1=abcdef")]
    [InlineData("t=12345678,v1=not-hex-at-all")]
    [InlineData("t=12345678,v1=abc")]
    public void Malformed_header_values_are_invalid(string header)
    {
        Assert.Equal(ErrorCodes.WebhookSignatureInvalid, VerifierAt(T).Verify(header, Body, "test123").ErrorCode);
    }

    [Fact]
    public void Payload_parses_events()
    {
        var json = "{\"events\":[{\"type\":\"order\",\"action\":\"insert\",\"date\":\"2026-05-04 10:15:22.113000\",\"id\":1001},{\"type\":\"order\",\"action\":\"update\",\"date\":\"2026-05-04 10:16:00.000000\",\"id\":\"1002\"}]}";
        var body = "payload=" + Uri.EscapeDataString(json);

        var result = CentraWebhookPayload.Parse(body);

        Assert.True(result.Success);
        Assert.Equal(
            [new CentraWebhookEvent("order", "insert", "2026-05-04 10:15:22.113000", "1001"), new CentraWebhookEvent("order", "update", "2026-05-04 10:16:00.000000", "1002")],
            result.Events.ToArray());
    }

    [Fact]
    public void Payload_accepts_plus_encoded_spaces_and_other_fields()
    {
        var result = CentraWebhookPayload.Parse("x=1&payload=%7B%22events%22%3A%5B%7B%22type%22%3A%22order%22%2C%22action%22%3A%22update%22%2C%22date%22%3A%222026-05-04+10%3A15%3A22%22%2C%22id%22%3A7%7D%5D%7D");

        Assert.True(result.Success);
        var e = Assert.Single(result.Events);
        Assert.Equal("2026-05-04 10:15:22", e.Date);
        Assert.Equal("7", e.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("events=%7B%7D")]
    [InlineData("payload=not-json")]
    [InlineData("payload=%7B%7D")]
    [InlineData("payload=%7B%22events%22%3A%7B%7D%7D")]
    [InlineData("payload=%7B%22events%22%3A%5B%7B%22type%22%3A%22order%22%7D%5D%7D")]
    [InlineData("payload=%5B1%2C2%5D")]
    public void Malformed_payloads_fail_with_WEBHOOK_PAYLOAD_INVALID(string body)
    {
        var result = CentraWebhookPayload.Parse(body);

        Assert.False(result.Success);
        Assert.Equal(ErrorCodes.WebhookPayloadInvalid, result.ErrorCode);
        Assert.Empty(result.Events);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void Test_vector_string_to_sign_matches_Centra_docs()
    {
        Assert.Equal("12345678.payload=%7B%22x%22%3A%22test%22%7D", string.Create(CultureInfo.InvariantCulture, $"{T}.{Body}"));
    }
}
