using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Operations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Operations;

/// <summary>
/// Failures outside a single entity become operator events with a code (and a logged AlertCode the
/// Azure alert rules query): a sweep that cannot reach Centra, rejected webhooks, refused credentials.
/// </summary>
public class OperatorAlertTests(AzuriteFixture azurite)
{
    private static List<OperatorEvent> Alerts(IEnumerable<OperatorEvent> events, string code) => events.Where(e => e.ErrorCode == code).ToList();

    [Fact]
    public async Task A_sweep_that_cannot_reach_Centra_is_one_SWEEP_FAILED_event_per_quiet_window()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = clock });
        h.AddOrder(DemoData.SwedishOrder(3001));
        h.Sandbox.State.Faults.Centra5xxRate = 1;

        await h.SweepAsync();
        await h.SweepAsync(); // still down, within the quiet window: logged, not appended again
        var alert = Assert.Single(Alerts(await h.EventsAsync(), ErrorCodes.SweepFailed));
        Assert.Equal("orders-sweep", alert.EntityKey);
        Assert.Equal(EventSeverity.Error, alert.Severity);
        Assert.Contains(ErrorCodes.ShopUnavailable, alert.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.Get(ErrorCodes.SweepFailed).Fix, alert.Fix);

        clock.Advance(OperatorAlerts.Quiet + TimeSpan.FromMinutes(1));
        await h.SweepAsync();
        Assert.Equal(2, Alerts(await h.EventsAsync(), ErrorCodes.SweepFailed).Count);

        // Back up: the checkpoint never moved, so the next sweep books the order.
        h.Sandbox.State.Faults.Centra5xxRate = 0;
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Single(h.Invoices);
    }

    [Fact]
    public async Task Rejected_webhooks_for_a_known_integration_raise_WEBHOOK_REJECTED_once_per_code_and_window()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var body = EngineHarness.WebhookBody(3101);
        for (var i = 0; i < 3; i++)
            Assert.Equal(401, (await h.PostWebhookAsync(body, h.Sign(body, secret: "not-the-secret"))).Status);
        var malformed = "payload=" + Uri.EscapeDataString("{\"events\": 42}");
        Assert.Equal(400, (await h.PostWebhookAsync(malformed, h.Sign(malformed))).Status);
        Assert.Equal(401, (await h.PostWebhookAsync(body, h.Sign(body, secret: "other"), integrationId: "it-nobody-here")).Status);

        var alerts = Alerts(await h.EventsAsync(), ErrorCodes.WebhookRejected);
        Assert.Equal(2, alerts.Count); // one per rejection code, not one per request
        Assert.Contains(alerts, a => a.EntityKey == "centra-webhook:" + ErrorCodes.WebhookSignatureInvalid && a.Message.Contains(ErrorCodes.WebhookSignatureInvalid, StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.EntityKey == "centra-webhook:" + ErrorCodes.WebhookPayloadInvalid);
        Assert.Equal(0, await h.QueueLengthAsync(Junipeer.Storage.StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task A_revoked_ERP_credential_raises_CONNECTION_AUTH_FAILED_beside_the_failed_order()
    {
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Settings = { [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = "revoked-client-secret" },
        });
        h.AddOrder(DemoData.SwedishOrder(3201));
        h.AddOrder(DemoData.SwedishOrder(3202));

        Assert.Equal(ErrorCodes.ErpAuthFailed, (await h.HandleAsync(3201)).ErrorCode);
        Assert.Equal(ErrorCodes.ErpAuthFailed, (await h.HandleAsync(3202)).ErrorCode);

        var events = await h.EventsAsync();
        var alert = Assert.Single(Alerts(events, ErrorCodes.ConnectionAuthFailed));
        Assert.Equal("erp", alert.EntityKey);
        Assert.StartsWith(ErrorCodes.ErpAuthFailed + ": ", alert.Message, StringComparison.Ordinal);
        Assert.Equal(2, Alerts(events, ErrorCodes.ErpAuthFailed).Count); // the per-order events stay
        Assert.DoesNotContain("revoked-client-secret", string.Join("\n", events.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_Centra_token_fails_the_sweep_with_SWEEP_FAILED_and_CONNECTION_AUTH_FAILED()
    {
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Settings = { [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = "expired-token" },
        });
        h.AddOrder(DemoData.SwedishOrder(3301));
        await h.SweepAsync();

        var events = await h.EventsAsync();
        Assert.Contains(ErrorCodes.ShopAuthFailed, Assert.Single(Alerts(events, ErrorCodes.SweepFailed)).Message, StringComparison.Ordinal);
        Assert.Equal("shop", Assert.Single(Alerts(events, ErrorCodes.ConnectionAuthFailed)).EntityKey);
        Assert.DoesNotContain("expired-token", string.Join("\n", events.Select(e => e.Message)), StringComparison.Ordinal);
        Assert.Empty(h.Invoices);
    }

    [Fact]
    public async Task A_shipment_sweep_whose_ERP_credentials_are_refused_raises_SWEEP_FAILED_and_CONNECTION_AUTH_FAILED_for_the_erp()
    {
        var id = EngineHarness.NewId();
        await using var k = await Junipeer.Tests.Shipments.ShipmentKit.StartAsync(azurite, id: id,
            extraSettings: new() { [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = "revoked-client-secret" });
        await k.SweepAsync();
        await k.SweepAsync(); // within the quiet window: one event

        var events = await k.H.EventsAsync();
        var sweep = Assert.Single(Alerts(events, ErrorCodes.SweepFailed));
        Assert.Equal("shipments-sweep", sweep.EntityKey);
        Assert.Equal(Flows.Shipments, sweep.Flow);
        Assert.Contains(ErrorCodes.ErpAuthFailed, sweep.Message, StringComparison.Ordinal);
        var auth = Assert.Single(Alerts(events, ErrorCodes.ConnectionAuthFailed));
        Assert.Equal("erp", auth.EntityKey);
        Assert.StartsWith(ErrorCodes.ErpAuthFailed + ": ", auth.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-client-secret", string.Join("\n", events.Select(e => e.Message)), StringComparison.Ordinal);

        var status = await k.H.Services.GetRequiredService<ConnectionStatusReader>().GetAsync(k.Integration.Id, TestContext.Current.CancellationToken);
        var visma = Assert.Single(status, c => c.System == "vismanet");
        Assert.Equal((ConnectionStatuses.Revoked, ErrorCodes.ErpAuthFailed), (visma.Status, visma.ErrorCode));
        Assert.Equal(ConnectionStatuses.NeverConnected, Assert.Single(status, c => c.System == "nshift").Status);
    }

    [Fact]
    public async Task Rejected_Visma_webhooks_for_a_known_integration_raise_WEBHOOK_REJECTED_per_code_and_none_for_unknown_ids()
    {
        await using var k = await Junipeer.Tests.Shipments.ShipmentKit.StartAsync(azurite);
        var body = Junipeer.Sandbox.Visma.VismaWebhookSender.Body(k.Tenant, "SH1", DateTimeOffset.UtcNow);
        for (var i = 0; i < 3; i++)
            Assert.Equal(401, (await k.PostAsync(body, Junipeer.Connectors.VismaNet.VismaWebhookVerifier.Sign("not-the-secret", body))).Status);
        const string notJson = "this is not json";
        Assert.Equal(400, (await k.PostAsync(notJson, Junipeer.Connectors.VismaNet.VismaWebhookVerifier.Sign(k.WebhookSecret, notJson))).Status);
        Assert.Equal(401, (await k.PostAsync(body, Junipeer.Connectors.VismaNet.VismaWebhookVerifier.Sign(k.WebhookSecret, body), integrationId: "it-nobody-here")).Status);

        var alerts = Alerts(await k.H.EventsAsync(), ErrorCodes.WebhookRejected);
        Assert.Equal(2, alerts.Count); // one per rejection code, not one per request; the unknown id raises none
        Assert.Contains(alerts, a => a.EntityKey == "visma-webhook:" + ErrorCodes.WebhookSignatureInvalid && a.Flow == Flows.Shipments);
        Assert.Contains(alerts, a => a.EntityKey == "visma-webhook:" + ErrorCodes.WebhookPayloadInvalid);
        Assert.All(alerts, a => Assert.Equal(ErrorCodes.Get(ErrorCodes.WebhookRejected).Fix, a.Fix));
    }

    [Fact]
    public async Task A_payout_sweep_whose_Stripe_key_is_refused_raises_SWEEP_FAILED_and_CONNECTION_AUTH_FAILED_for_the_psp()
    {
        await using var k = await Junipeer.Tests.Payouts.StripeKit.StartAsync(azurite, apiKey: "sk_test_revoked_key_000000000000");
        await k.SweepAsync();

        var events = await k.H.EventsAsync();
        var sweep = Assert.Single(Alerts(events, ErrorCodes.SweepFailed));
        Assert.Equal("payouts-sweep:stripe", sweep.EntityKey);
        Assert.Contains(ErrorCodes.PspAuthFailed, sweep.Message, StringComparison.Ordinal);
        var auth = Assert.Single(Alerts(events, ErrorCodes.ConnectionAuthFailed));
        Assert.Equal("psp:stripe", auth.EntityKey);

        // The connection status the console and `integration show` report: the PSP revoked with the refusal's code.
        var status = await k.H.Services.GetRequiredService<ConnectionStatusReader>().GetAsync(k.Integration.Id, TestContext.Current.CancellationToken);
        var stripe = Assert.Single(status, c => c.System == "stripe");
        Assert.Equal((ConnectionStatuses.Revoked, ErrorCodes.PspAuthFailed, "psp"), (stripe.Status, stripe.ErrorCode, stripe.Role));
        Assert.Equal(ConnectionStatuses.NeverConnected, Assert.Single(status, c => c.System == "centra").Status);
        Assert.DoesNotContain("sk_test_revoked_key_000000000000", string.Join("\n", events.Select(e => e.Message)), StringComparison.Ordinal);
    }
}
