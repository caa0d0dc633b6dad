using Junipeer.Core.Errors;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.EndToEnd;

/// <summary>The Centra webhook function: every rejection has a status, a code, and enqueues nothing.</summary>
public class WebhookTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Rejections_have_status_and_code_and_enqueue_nothing()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var body = EngineHarness.WebhookBody(2001);

        var cases = new (string Name, Func<Task<WebhookResponse>> Call, int Status, string Code)[]
        {
            ("missing header", () => h.PostWebhookAsync(body, null), 401, ErrorCodes.WebhookSignatureMissing),
            ("malformed header", () => h.PostWebhookAsync(body, "v1=abc"), 401, ErrorCodes.WebhookSignatureMissing),
            ("wrong secret", () => h.PostWebhookAsync(body, h.Sign(body, secret: "not-the-secret")), 401, ErrorCodes.WebhookSignatureInvalid),
            ("tampered body", () => h.PostWebhookAsync(EngineHarness.WebhookBody(2002), h.Sign(body)), 401, ErrorCodes.WebhookSignatureInvalid),
            ("replayed (stale t)", () => h.PostWebhookAsync(body, h.Sign(body, DateTimeOffset.UtcNow.AddMinutes(-10))), 401, ErrorCodes.WebhookTimestampOutOfTolerance),
            ("future t", () => h.PostWebhookAsync(body, h.Sign(body, DateTimeOffset.UtcNow.AddMinutes(10))), 401, ErrorCodes.WebhookTimestampOutOfTolerance),
            ("not form-encoded", () => h.PostWebhookAsync("{\"events\":[]}", h.Sign("{\"events\":[]}")), 400, ErrorCodes.WebhookPayloadInvalid),
            ("payload not JSON", () => h.PostWebhookAsync("payload=%7Bnope", h.Sign("payload=%7Bnope")), 400, ErrorCodes.WebhookPayloadInvalid),
            ("unknown integration", () => h.PostWebhookAsync(body, h.Sign(body), "no-such-integration"), 404, ErrorCodes.IntegrationNotFound),
            ("invalid integration id", () => h.PostWebhookAsync(body, h.Sign(body), "../etc"), 404, ErrorCodes.IntegrationNotFound),
        };

        foreach (var c in cases)
        {
            var r = await c.Call();
            Assert.True(c.Status == r.Status, $"{c.Name}: status {r.Status}");
            Assert.True(c.Code == r.Code, $"{c.Name}: code {r.Code}");
            Assert.False(string.IsNullOrWhiteSpace(r.Body.GetProperty("message").GetString()), c.Name);
        }

        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Previous_secret_is_accepted_during_rotation()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { PreviousWebhookSecretName = "oldWebhookSecret" } } },
            Settings = new() { ["Secrets:oldWebhookSecret"] = "the-old-secret" },
        });
        var body = EngineHarness.WebhookBody(2003);
        var r = await h.PostWebhookAsync(body, h.Sign(body, secret: "the-old-secret"));
        Assert.Equal(202, r.Status);
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Missing_webhook_secret_answers_SECRET_NOT_CONFIGURED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { WebhookSecretName = "neverConfigured" } } },
        });
        var body = EngineHarness.WebhookBody(2004);
        var r = await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(500, r.Status);
        Assert.Equal(ErrorCodes.SecretNotConfigured, r.Code);
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Several_events_in_one_call_enqueue_one_item_per_order_and_ignore_other_types()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var json = "{\"events\":[{\"type\":\"order\",\"action\":\"insert\",\"date\":\"d1\",\"id\":3001},{\"type\":\"order\",\"action\":\"insert\",\"date\":\"d1\",\"id\":3002},{\"type\":\"shipment\",\"action\":\"good_to_go\",\"date\":\"d1\",\"id\":77}]}";
        var body = "payload=" + Uri.EscapeDataString(json);
        var r = await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(202, r.Status);
        Assert.Equal(3, r.Body.GetProperty("events").GetInt32());
        Assert.Equal(2, r.Body.GetProperty("enqueued").GetInt32());
        Assert.Equal(1, r.Body.GetProperty("ignored").GetInt32());
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }
}
