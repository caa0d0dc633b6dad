using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Functions.Webhooks;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Shipments;

/// <summary>POST /api/webhooks/visma/{integrationId}: the Centra webhook's rejection rules and codes, for Visma's x-vwd-signature-v1.</summary>
public class VismaWebhookTests(AzuriteFixture azurite)
{
    [Fact]
    public void The_signature_is_Base64_HMAC_SHA256_of_the_raw_body_and_matches_the_Sandbox_sender()
    {
        // Known answer: HMAC-SHA256(key "secret", "[]") in Base64.
        Assert.Equal("UzZKB/zFY+cS9Cz8neHijh4tOfI2zuQw8RIgPlV66j8=", VismaWebhookVerifier.Sign("secret", "[]"));
        Assert.Equal(VismaWebhookSender.Sign("k", "body"), VismaWebhookVerifier.Sign("k", "body"));
        Assert.True(VismaWebhookVerifier.Verify(VismaWebhookVerifier.Sign("k", "body"), "body", "k", null));
        Assert.False(VismaWebhookVerifier.Verify(VismaWebhookVerifier.Sign("k", "body"), "body ", "k", null));
        Assert.True(VismaWebhookVerifier.Verify(VismaWebhookVerifier.Sign("old", "body"), "body", "new", "old"));
    }

    [Fact]
    public async Task Signature_rejections_answer_with_the_same_codes_as_the_Centra_webhook_and_enqueue_nothing()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        var body = VismaWebhookSender.Body(k.Tenant, "SH1", DateTimeOffset.UtcNow);

        var missing = await k.PostAsync(body, signature: null);
        Assert.Equal((401, ErrorCodes.WebhookSignatureMissing), (missing.Status, missing.Code));

        var malformed = await k.PostAsync(body, "t=1,v1=abc");
        Assert.Equal((401, ErrorCodes.WebhookSignatureMissing), (malformed.Status, malformed.Code));

        var wrong = await k.PostAsync(body, VismaWebhookVerifier.Sign("not-the-secret", body));
        Assert.Equal((401, ErrorCodes.WebhookSignatureInvalid), (wrong.Status, wrong.Code));

        var tampered = await k.PostAsync(body.Replace("SH1", "SH2", StringComparison.Ordinal), VismaWebhookVerifier.Sign(k.WebhookSecret, body));
        Assert.Equal((401, ErrorCodes.WebhookSignatureInvalid), (tampered.Status, tampered.Code));

        // An unknown integration answers exactly like a bad signature (no probing for integrations).
        var unknown = await k.PostAsync(body, VismaWebhookVerifier.Sign(k.WebhookSecret, body), integrationId: "no-such-integration");
        Assert.Equal((401, ErrorCodes.WebhookSignatureInvalid), (unknown.Status, unknown.Code));
        Assert.Equal(wrong.Body.GetProperty("message").GetString(), unknown.Body.GetProperty("message").GetString());
        Assert.Equal(WebhookRequests.NotAuthenticatedMessage, unknown.Body.GetProperty("message").GetString());

        Assert.Equal(0, await k.H.QueueLengthAsync(StorageNames.ShipmentsQueue));
    }

    [Fact]
    public async Task Payload_and_id_rejections_and_the_body_limit()
    {
        await using var k = await ShipmentKit.StartAsync(azurite);
        async Task<WebhookResponse> Signed(string body) => await k.PostAsync(body, VismaWebhookVerifier.Sign(k.WebhookSecret, body));

        var notJson = await Signed("payload=%7B%7D");
        Assert.Equal((400, ErrorCodes.WebhookPayloadInvalid), (notJson.Status, notJson.Code));
        var scalar = await Signed("42");
        Assert.Equal((400, ErrorCodes.WebhookPayloadInvalid), (scalar.Status, scalar.Code));

        var badId = await Signed("""[{"notificationId":"x","event":"shipment_statuschanged","relativeResourceUri":"api/v1/shipment/..%2F..%2Fadmin"}]""");
        Assert.Equal((400, ErrorCodes.WebhookEventIdInvalid), (badId.Status, badId.Code));

        var big = "[" + new string(' ', WebhookRequests.MaxBodyBytes) + "]";
        var tooLarge = await k.PostAsync(big, VismaWebhookVerifier.Sign(k.WebhookSecret, big));
        Assert.Equal((413, ErrorCodes.WebhookBodyTooLarge), (tooLarge.Status, tooLarge.Code));
        Assert.Equal(0, await k.H.QueueLengthAsync(StorageNames.ShipmentsQueue));
    }

    [Fact]
    public async Task A_batch_enqueues_each_shipment_once_and_ignores_other_entities()
    {
        await using var k = await ShipmentKit.StartAsync(azurite, previousWebhookSecret: "the-old-secret");
        var body = """
            [{"notificationId":"1","event":"shipment_statuschanged","relativeResourceUri":"api/v1/shipment/SH10"},
             {"notificationId":"2","event":"shipment_statuschanged","resourceUri":"https://api.finance.visma.net/v1/shipment/SH11"},
             {"notificationId":"3","event":"shipment_statuschanged","relativeResourceUri":"api/v1/shipment/SH10"},
             {"notificationId":"4","event":"customer_changed","relativeResourceUri":"api/v1/customer/10001"}]
            """;
        var ok = await k.PostAsync(body, VismaWebhookVerifier.Sign(k.WebhookSecret, body));
        Assert.Equal(202, ok.Status);
        Assert.Equal(2, ok.Body.GetProperty("enqueued").GetInt32());
        Assert.Equal(1, ok.Body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, ok.Body.GetProperty("ignored").GetInt32());

        // During rotation the previous secret is accepted.
        var rotated = await k.PostAsync(body, VismaWebhookVerifier.Sign("the-old-secret", body));
        Assert.Equal(202, rotated.Status);
        Assert.Equal(4, await k.H.QueueLengthAsync(StorageNames.ShipmentsQueue));
    }
}
