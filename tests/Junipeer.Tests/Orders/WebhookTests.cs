using Junipeer.Core.Integrations;
using System.Text.Json;
using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>The Centra webhook function: every rejection has a status, a code, and stores and enqueues nothing.</summary>
public class WebhookTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Rejections_have_status_and_code_and_enqueue_nothing()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var body = EngineHarness.WebhookBody(2001);
        var huge = "payload=" + new string('x', Junipeer.Functions.Orders.CentraWebhookFunction.MaxBodyBytes);

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
            ("unknown integration", () => h.PostWebhookAsync(body, h.Sign(body), "no-such-integration"), 401, ErrorCodes.WebhookSignatureInvalid),
            ("invalid integration id", () => h.PostWebhookAsync(body, h.Sign(body), "../etc"), 401, ErrorCodes.WebhookSignatureInvalid),
            ("body over the limit (Content-Length)", () => h.PostWebhookAsync(huge, h.Sign(huge)), 413, ErrorCodes.WebhookBodyTooLarge),
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
    public async Task Unknown_integration_missing_secret_and_bad_signature_look_the_same_to_the_caller_and_differ_in_the_log()
    {
        var logs = new ListLoggerProvider();
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Id = id, Logs = logs });
        // A second integration whose webhook secret is named but not configured.
        var unconfigured = h.Integration with
        {
            Id = id + "-b",
            Orders = h.Integration.Orders with { ReferencePrefix = "B-" },
            // Its own slice of the store (another integration on the same Centra store must say which orders are its own).
            Shop = h.Integration.Shop with { Centra = h.Integration.Shop.Centra! with { WebhookSecretName = EngineHarness.SecretName(id + "-b", "NeverConfigured"), OrderFilter = new OrderOwnershipFilter { MarketIds = ["999"] } } },
            Erp = h.Integration.Erp with { VismaNet = h.Integration.Erp.VismaNet! with { ClientSecretName = EngineHarness.SecretName(id + "-b", "VismaClientSecret") } },
        };
        unconfigured = unconfigured with { Shop = unconfigured.Shop with { Centra = unconfigured.Shop.Centra! with { TokenSecretName = EngineHarness.SecretName(id + "-b", "CentraToken") } } };
        var integrations = h.Services.GetRequiredService<Junipeer.Core.Integrations.IIntegrationStore>();
        await integrations.SaveAsync(h.Integration with { Shop = h.Integration.Shop with { Centra = h.Integration.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["1"] } } } }, TestContext.Current.CancellationToken);
        await integrations.SaveAsync(unconfigured, TestContext.Current.CancellationToken);

        var body = EngineHarness.WebhookBody(2004);
        var answers = new Dictionary<string, WebhookResponse>
        {
            ["bad signature"] = await h.PostWebhookAsync(body, h.Sign(body, secret: "guess")),
            ["unknown integration"] = await h.PostWebhookAsync(body, h.Sign(body, secret: "guess"), "no-such-integration"),
            ["unknown, right secret of another"] = await h.PostWebhookAsync(body, h.Sign(body), "no-such-integration"),
            ["secret not configured"] = await h.PostWebhookAsync(body, h.Sign(body, secret: "guess"), unconfigured.Id),
        };

        foreach (var (name, r) in answers)
        {
            Assert.True(r.Status == 401, $"{name}: {r.Status}");
            Assert.True(r.Code == ErrorCodes.WebhookSignatureInvalid, $"{name}: {r.Code}");
            Assert.Equal(CentraWebhookIntake.NotAuthenticatedMessage, r.Body.GetProperty("message").GetString());
            Assert.Equal(["code", "message"], r.Body.EnumerateObject().Select(p => p.Name));
        }

        Assert.Contains(logs.Messages, m => m.Contains(ErrorCodes.IntegrationNotFound, StringComparison.Ordinal) && m.Contains("no-such-integration", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains(ErrorCodes.SecretNotConfigured, StringComparison.Ordinal) && m.Contains(unconfigured.Id, StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains(ErrorCodes.WebhookSignatureInvalid, StringComparison.Ordinal) && m.Contains(h.Integration.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(h.WebhookSecret, StringComparison.Ordinal));
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Previous_secret_is_accepted_during_rotation()
    {
        var id = EngineHarness.NewId();
        var old = EngineHarness.SecretName(id, "OldWebhookSecret");
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Integration = i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { PreviousWebhookSecretName = old } } },
            Settings = new() { [$"Secrets:{old}"] = "the-old-secret" },
        });
        var body = EngineHarness.WebhookBody(2003);
        var r = await h.PostWebhookAsync(body, h.Sign(body, secret: "the-old-secret"));
        Assert.Equal(202, r.Status);
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Several_events_in_one_call_enqueue_one_item_per_order_and_ignore_other_types()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var json = "{\"events\":[{\"type\":\"order\",\"action\":\"insert\",\"date\":\"d1\",\"id\":3001},{\"type\":\"order\",\"action\":\"insert\",\"date\":\"d1\",\"id\":3002},{\"type\":\"order\",\"action\":\"update\",\"date\":\"d2\",\"id\":\"3002\"},{\"type\":\"shipment\",\"action\":\"good_to_go\",\"date\":\"d1\",\"id\":77}]}";
        var body = "payload=" + Uri.EscapeDataString(json);
        var r = await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(202, r.Status);
        Assert.Equal(4, r.Body.GetProperty("events").GetInt32());
        Assert.Equal(2, r.Body.GetProperty("enqueued").GetInt32());
        Assert.Equal(1, r.Body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, r.Body.GetProperty("ignored").GetInt32());
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Event_ids_that_are_not_order_numbers_get_400_and_nothing_is_stored()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ids = new object[]
        {
            "1001' or '1' eq '1", "10/01", "1001 or PartitionKey ne ''", "1001 eq 1001", "1001\u0000", "10\n01", "\u001b[31m1001",
            "99999999999999999999999999", "2147483648", "-5", "0", "0042", "", " 1001", "1e3", 1.5, 1e30, "１００１", "%31",
        };
        foreach (var id in ids)
        {
            var json = JsonSerializer.Serialize(new { events = new object[] { new { type = "order", action = "insert", date = "d", id = 4001 }, new { type = "order", action = "insert", date = "d", id } } });
            var body = "payload=" + Uri.EscapeDataString(json);
            var r = await h.PostWebhookAsync(body, h.Sign(body));
            var name = JsonSerializer.Serialize(id);
            if (id is "")
            {
                // An empty id is caught by the payload check already.
                Assert.True(r.Status == 400 && r.Code == ErrorCodes.WebhookPayloadInvalid, $"{name}: {r.Status} {r.Code}");
                continue;
            }

            Assert.True(r.Status == 400, $"{name}: status {r.Status}");
            Assert.True(r.Code == ErrorCodes.WebhookEventIdInvalid, $"{name}: code {r.Code}");
            var message = r.Body.GetProperty("message").GetString()!;
            Assert.DoesNotContain(message, c => char.IsControl(c));
        }

        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
        Assert.Empty(await h.Services.GetRequiredService<ISyncLedger>().ListAsync(h.Integration.Id, Flows.Orders, TestContext.Current.CancellationToken));
        Assert.True(CentraWebhookIntake.IsOrderNumber("2147483647"));
        Assert.True(CentraWebhookIntake.IsOrderNumber("1"));
    }

    [Fact]
    public async Task Enqueue_failure_fails_the_request_and_the_retry_is_accepted_and_enqueued()
    {
        var faults = new FailingQueue.Switch { FailNext = 1 };
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Services = s =>
            {
                s.AddSingleton(faults);
                s.AddSingleton<IWorkQueue>(sp => new FailingQueue(sp.GetRequiredService<QueueWorkQueue>(), faults));
            },
        });
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(2301));
        var body = EngineHarness.WebhookBody(2301);
        var signature = h.Sign(body);

        await Assert.ThrowsAnyAsync<IOException>(() => h.PostWebhookAsync(body, signature)); // the host answers 500; Centra retries
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));

        var retry = await h.PostWebhookAsync(body, signature);
        Assert.Equal(202, retry.Status);
        Assert.Equal(1, retry.Body.GetProperty("enqueued").GetInt32());
        Assert.Equal(1, await h.QueueLengthAsync(StorageNames.OrdersQueue));

        await h.DrainAsync();
        Assert.Equal(["CENTRA-2301"], h.Invoices.Select(i => i.CustomerRefNumber));
    }

    [Fact]
    public async Task A_redelivered_event_is_enqueued_again_and_still_invoices_once()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(2401));
        var body = EngineHarness.WebhookBody(2401);
        var signature = h.Sign(body);
        Assert.Equal(202, (await h.PostWebhookAsync(body, signature)).Status);
        Assert.Equal(202, (await h.PostWebhookAsync(body, signature)).Status);
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));

        await h.DrainAsync();
        Assert.Equal(["CENTRA-2401"], h.Invoices.Select(i => i.CustomerRefNumber));
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(2401))!.Status);
    }

    /// <summary>Fault injection around the real queue: the next N enqueues throw, as a storage outage would.</summary>
    private sealed class FailingQueue(IWorkQueue inner, FailingQueue.Switch faults) : IWorkQueue
    {
        public sealed class Switch
        {
            public int FailNext { get; set; }
        }

        public Task EnqueueAsync(WorkItem item, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
        {
            if (faults.FailNext > 0)
            {
                faults.FailNext--;
                throw new IOException("queue unavailable (injected)");
            }

            return inner.EnqueueAsync(item, visibilityDelay, cancellationToken);
        }
    }
}
