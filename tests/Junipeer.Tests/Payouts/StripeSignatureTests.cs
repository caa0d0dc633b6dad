using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;

namespace Junipeer.Tests.Payouts;

/// <summary>
/// The cases Stripe's own libraries test their verifier with (stripe-python / stripe-node webhook
/// tests: secret "whsec_test_secret", the dummy event payload, headers generated with the scheme):
/// valid, several v1 values, v0 only, no timestamp, outside tolerance, wrong secret, tampered body.
/// </summary>
public class StripeSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private const string Payload = "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static string HeaderAt(DateTimeOffset at, string? signature = null, string scheme = "v1") =>
        $"t={at.ToUnixTimeSeconds()},{scheme}={signature ?? StripeSignature.Sign(Secret, at.ToUnixTimeSeconds(), Payload)}";

    [Fact]
    public void Known_vector_hmac_matches_the_scheme()
    {
        // HMAC-SHA256("whsec_test_secret", "1700000000." + payload), computed independently.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes("1700000000." + Payload)));
        Assert.Equal(expected, StripeSignature.Sign(Secret, 1_700_000_000, Payload));
        StripeSignature.Verify(HeaderAt(Now), Payload, [Secret], Now);
    }

    [Fact]
    public void One_matching_v1_among_several_is_enough()
    {
        var header = $"t={Now.ToUnixTimeSeconds()},v1={new string('a', 64)},v1={StripeSignature.Sign(Secret, Now.ToUnixTimeSeconds(), Payload)},v0={new string('b', 64)}";
        StripeSignature.Verify(header, Payload, [Secret], Now);
    }

    [Fact]
    public void Previous_secret_is_accepted_during_rotation()
    {
        StripeSignature.Verify(HeaderAt(Now), Payload, ["whsec_new_secret", Secret], Now);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("v1=00", "no timestamp")]
    [InlineData("t=1700000000", "no v1")]
    [InlineData("i'm not even a real signature header", "no timestamp")]
    public void Malformed_headers_are_rejected(string? header, string why)
    {
        var ex = Assert.Throws<JunipeerException>(() => StripeSignature.Verify(header, Payload, [Secret], Now));
        Assert.Equal(ErrorCodes.PayoutWebhookSignatureInvalid, ex.Code);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_v0_scheme_is_not_enough()
    {
        var ex = Assert.Throws<JunipeerException>(() => StripeSignature.Verify(HeaderAt(Now, scheme: "v0"), Payload, [Secret], Now));
        Assert.Contains("no v1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_outside_the_tolerance_is_rejected_inside_accepted()
    {
        StripeSignature.Verify(HeaderAt(Now - TimeSpan.FromSeconds(299)), Payload, [Secret], Now);
        var ex = Assert.Throws<JunipeerException>(() => StripeSignature.Verify(HeaderAt(Now - TimeSpan.FromSeconds(301)), Payload, [Secret], Now));
        Assert.Contains("tolerance", ex.Message, StringComparison.Ordinal);
        StripeSignature.Verify(HeaderAt(Now - TimeSpan.FromSeconds(900)), Payload, [Secret], Now, TimeSpan.FromMinutes(20));
    }

    [Fact]
    public void Wrong_secret_or_tampered_body_is_rejected()
    {
        Assert.Equal(ErrorCodes.PayoutWebhookSignatureInvalid,
            Assert.Throws<JunipeerException>(() => StripeSignature.Verify(HeaderAt(Now), Payload, ["whsec_other"], Now)).Code);
        Assert.Equal(ErrorCodes.PayoutWebhookSignatureInvalid,
            Assert.Throws<JunipeerException>(() => StripeSignature.Verify(HeaderAt(Now), Payload + " ", [Secret], Now)).Code);
    }
}
