using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Functions.Webhooks;
using Junipeer.Sandbox.Stripe;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Payouts;

/// <summary>POST /api/webhooks/stripe/{integrationId}: Stripe-Signature, the Centra webhook's rejection rules, payout.paid → one work item.</summary>
public class StripeWebhookTests(AzuriteFixture azurite)
{
    private static async Task<List<WorkItem>> PayoutQueueAsync(StripeKit k)
    {
        var q = k.H.Queue(PayoutSyncFunction.Queue);
        await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        var peeked = await q.PeekMessagesAsync(32, TestContext.Current.CancellationToken);
        return [.. peeked.Value.Select(m => QueueWorkQueue.TryParse(m.Body.ToString())!)];
    }

    [Fact]
    public async Task A_payout_paid_event_signed_by_the_Sandbox_enqueues_one_payout_item()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var id = await k.SeedAsync(new StripeTransactionSeed { Amount = 1000, OrderReference = "NT-1" });
        var e = await k.EventAsync(id);
        Assert.Matches(@"^t=\d+,v1=[0-9a-f]{64}$", e.Signature);

        var r = await k.PostAsync(e.Body, e.Signature);

        Assert.Equal(202, r.Status);
        var item = Assert.Single(await PayoutQueueAsync(k));
        Assert.Equal(WorkKinds.Payout, item.Kind);
        Assert.Equal("stripe:" + id, item.EntityKey);
        Assert.Equal(WorkReasons.Webhook, item.Reason);
        Assert.Equal(k.H.Integration.Id, item.IntegrationId);
    }

    [Fact]
    public async Task Signature_failures_answer_the_same_401_and_enqueue_nothing()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var id = await k.SeedAsync(new StripeTransactionSeed { Amount = 1000, OrderReference = "NT-1" });
        var e = await k.EventAsync(id);

        var missing = await k.PostAsync(e.Body, null);
        var wrongSecret = await k.PostAsync(e.Body, $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={StripeSignature.Sign("whsec_other", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), e.Body)}");
        var tampered = await k.PostAsync(e.Body.Replace(id, "po_other", StringComparison.Ordinal), e.Signature);
        var stale = await k.EventAsync(id, at: DateTimeOffset.UtcNow.AddMinutes(-10));
        var outside = await k.PostAsync(stale.Body, stale.Signature);
        var unknown = await k.PostAsync(e.Body, e.Signature, integrationId: "no-such-integration");

        foreach (var r in new[] { missing, wrongSecret, tampered, outside, unknown })
        {
            Assert.Equal((401, ErrorCodes.PayoutWebhookSignatureInvalid), (r.Status, r.Code));
            Assert.Equal(WebhookRequests.NotAuthenticatedMessage, r.Body.GetProperty("message").GetString());
        }

        Assert.Empty(await PayoutQueueAsync(k));
    }

    [Fact]
    public async Task No_webhook_secret_configured_answers_like_a_bad_signature()
    {
        await using var k = await StripeKit.StartAsync(azurite, webhookSecret: false);
        var id = await k.SeedAsync(new StripeTransactionSeed { Amount = 1000, OrderReference = "NT-1" });
        var e = await k.EventAsync(id);
        var r = await k.PostAsync(e.Body, e.Signature);
        Assert.Equal((401, ErrorCodes.PayoutWebhookSignatureInvalid), (r.Status, r.Code));
        Assert.Empty(await PayoutQueueAsync(k));
    }

    [Fact]
    public async Task Other_events_are_acknowledged_and_bad_bodies_rejected_with_their_codes()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var id = await k.SeedAsync(new StripeTransactionSeed { Amount = 1000, OrderReference = "NT-1" });
        string Sign(string body)
        {
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return $"t={t},v1={StripeSignature.Sign(k.Stripe.WebhookSecret, t, body)}";
        }

        var created = await k.EventAsync(id, type: "payout.created");
        var ignored = await k.PostAsync(created.Body, created.Signature);
        Assert.Equal(202, ignored.Status);
        Assert.Equal(1, ignored.Body.GetProperty("ignored").GetInt32());

        const string notJson = "payload=1";
        Assert.Equal((400, ErrorCodes.WebhookPayloadInvalid), Pair(await k.PostAsync(notJson, Sign(notJson))));
        const string noData = """{"type":"payout.paid"}""";
        Assert.Equal((400, ErrorCodes.WebhookPayloadInvalid), Pair(await k.PostAsync(noData, Sign(noData))));
        const string badId = """{"type":"payout.paid","data":{"object":{"id":"../../admin","object":"payout"}}}""";
        Assert.Equal((400, ErrorCodes.WebhookEventIdInvalid), Pair(await k.PostAsync(badId, Sign(badId))));

        var big = "{\"type\":\"payout.paid\",\"pad\":\"" + new string('x', WebhookRequests.MaxBodyBytes) + "\"}";
        Assert.Equal((413, ErrorCodes.WebhookBodyTooLarge), Pair(await k.PostAsync(big, Sign(big))));
        Assert.Empty(await PayoutQueueAsync(k));
    }

    private static (int, string?) Pair(Junipeer.Tests.Infrastructure.WebhookResponse r) => (r.Status, r.Code);
}
