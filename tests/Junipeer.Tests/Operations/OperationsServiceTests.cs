using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Operations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Operations;

/// <summary>The operations service the console and the CLI share, against Azurite and the Sandbox.</summary>
public class OperationsServiceTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A German consumer order (OSS destination VAT 19 %).</summary>
    public static CentraOrderSpec German(int number)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Currency = "EUR";
        spec.BillingAddress!.Country = "DE";
        spec.Lines[0].TaxPercent = 19m;
        spec.Lines[1].TaxPercent = 19m;
        return spec;
    }

    /// <summary>The demo integration without its German OSS mapping: German orders fail until it is restored.</summary>
    public static Integration WithoutGermany(Integration i) =>
        i with { Vat = i.Vat with { Countries = i.Vat.Countries.Where(c => c.Key != "DE").ToDictionary(c => c.Key, c => c.Value) } };

    public static Integration WithGermany(Integration i) =>
        i with { Vat = i.Vat with { Countries = new Dictionary<string, VatMapping>(i.Vat.Countries) { ["DE"] = VatMapping.Of("DE", null, ("19", "DE19"), ("7", "DE07")) } } };

    [Fact]
    public async Task Failed_order_shows_code_cause_and_fix_and_Retry_after_the_fix_invoices_it()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithoutGermany });
        var ops = h.Services.GetRequiredService<OperationsService>();
        h.AddOrder(DemoData.SwedishOrder(8101));
        h.AddOrder(German(8102));
        var body = EngineHarness.WebhookBody(8101, 8102);
        Assert.Equal(202, (await h.PostWebhookAsync(body, h.Sign(body))).Status);
        await h.DrainAsync();

        var overview = await ops.OverviewAsync(h.Integration.Id, 7, Ct);
        var orders = Assert.Single(overview.Flows, f => f.Flow == Flows.Orders);
        Assert.Equal((1, 1, 0, 0), (orders.Done, orders.Failed, orders.Queued, orders.InProgress));
        Assert.NotNull(orders.LastSuccessAt);
        Assert.Equal(7, orders.Days.Count);
        Assert.Equal((1, 1), (orders.Days[^1].Synced, orders.Days[^1].Failed));
        Assert.Equal(0, orders.QueueLength);
        Assert.True(orders.CanRetry && orders.CanBackfill);
        Assert.Equal(1, overview.FailedTotal);
        // Connection status from real signals: the invoiced order proves both systems.
        Assert.Equal([("centra", "connected"), ("vismanet", "connected")],
            overview.Connections!.Select(c => (c.System, c.Status)).OrderBy(c => c.System, StringComparer.Ordinal));

        var failed = Assert.Single(await ops.FailedAsync(h.Integration.Id, null, null, Ct));
        var catalogue = ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing);
        Assert.Equal(("8102", ErrorCodes.OssCountryTaxMappingMissing), (failed.EntityKey, failed.Code));
        Assert.Equal((catalogue.Cause, catalogue.Fix), (failed.Cause, failed.Fix));
        Assert.Contains("DE", failed.Message, StringComparison.Ordinal);
        Assert.Empty(await ops.FailedAsync(h.Integration.Id, Flows.Orders, ErrorCodes.ErpUnavailable, Ct));

        // Fix the mapping, press Retry: exactly one invoice for the order.
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(WithGermany(h.Integration), Ct);
        var retry = await ops.RetryAsync(h.Integration.Id, Flows.Orders, "8102", Ct);
        Assert.True(retry.Enqueued);
        Assert.Equal("Failed", retry.PreviousStatus);
        await h.DrainAsync();
        Assert.Equal(["CENTRA-8101", "CENTRA-8102"], h.Invoices.Select(i => i.CustomerRefNumber).Order(StringComparer.Ordinal));
        Assert.Empty(await ops.FailedAsync(h.Integration.Id, null, null, Ct));

        // Retrying a Done entity enqueues nothing.
        var again = await ops.RetryAsync(h.Integration.Id, Flows.Orders, "8102", Ct);
        Assert.False(again.Enqueued);
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Bad_requests_get_their_codes()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ops = h.Services.GetRequiredService<OperationsService>();
        var id = h.Integration.Id;

        async Task<string> Code(Func<Task> call) => (await Assert.ThrowsAsync<JunipeerException>(call)).Code;
        Assert.Equal(ErrorCodes.IntegrationNotFound, await Code(() => ops.OverviewAsync("nope-" + id, 7, Ct)));
        Assert.Equal(ErrorCodes.IntegrationNotFound, await Code(() => ops.RetryAsync("nope-" + id, Flows.Orders, "1", Ct)));
        Assert.Equal(ErrorCodes.LedgerEntityNotFound, await Code(() => ops.RetryAsync(id, Flows.Orders, "999999", Ct)));
        Assert.Equal(ErrorCodes.OperationFlowNotSupported, await Code(() => ops.RetryAsync(id, Flows.Customers, "a@b.c", Ct)));
        Assert.Equal(ErrorCodes.OperationFlowNotSupported, await Code(() => ops.RetryAsync(id, "invoices", "1", Ct)));
        Assert.Equal(ErrorCodes.OperationFlowNotSupported, await Code(() => ops.BackfillAsync(id, Flows.Payouts, DateTimeOffset.UtcNow.AddDays(-1), Ct)));
        Assert.Equal(ErrorCodes.OperationRequestInvalid, await Code(() => ops.BackfillAsync(id, Flows.Orders, DateTimeOffset.UtcNow.AddDays(1), Ct)));
        Assert.Equal(ErrorCodes.OperationRequestInvalid, await Code(() => ops.FailedAsync(id, null, "NOT_A_CODE", Ct)));
        Assert.Equal(ErrorCodes.OperationRequestInvalid, await Code(() => ops.OverviewAsync(id, 0, Ct)));
        Assert.Equal(ErrorCodes.OperationRequestInvalid, await Code(() => ops.RetryAsync(id, Flows.Orders, " ", Ct)));
    }

    [Fact]
    public async Task Backfill_from_a_date_enqueues_orders_changed_since_then_that_are_not_done()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ops = h.Services.GetRequiredService<OperationsService>();
        h.AddOrder(DemoData.SwedishOrder(8201));
        h.AddOrder(DemoData.SwedishOrder(8202));
        h.AddOrder(DemoData.SwedishOrder(8203));
        var body = EngineHarness.WebhookBody(8201);
        await h.PostWebhookAsync(body, h.Sign(body));
        await h.DrainAsync();
        Assert.Single(h.Invoices);

        // No webhook came for 8202/8203: the backfill finds them in Centra, skips the invoiced 8201.
        var from = h.Sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(2);
        var r = await ops.BackfillAsync(h.Integration.Id, Flows.Orders, from, Ct);
        Assert.Equal((3, 2, 1, 0), (r.Seen, r.Enqueued, r.AlreadyDone, r.NotOwned));
        await h.DrainAsync();
        Assert.Equal(3, h.Invoices.Count);
        Assert.Null(await h.Services.GetRequiredService<ICheckpointStore>().GetAsync(h.Integration.Id, Flows.Orders, Ct)); // the sweep's cursor is not touched

        var second = await ops.BackfillAsync(h.Integration.Id, Flows.Orders, from, Ct);
        Assert.Equal((0, 3), (second.Enqueued, second.AlreadyDone));
    }

    [Fact]
    public async Task Poison_replay_requeues_this_integrations_poison_messages_and_exhausted_rows_only()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ops = h.Services.GetRequiredService<OperationsService>();
        var now = DateTimeOffset.UtcNow;
        var poison = h.Queue(StorageNames.OrdersPoisonQueue);
        await poison.CreateIfNotExistsAsync(cancellationToken: Ct);
        string Json(WorkItem w) => JsonSerializer.Serialize(w, JunipeerJson.Options);
        await poison.SendMessageAsync(Json(WorkItem.ForOrder(h.Integration.Id, "8301", WorkReasons.Webhook, "c1", now)), Ct);
        await poison.SendMessageAsync(Json(WorkItem.ForOrder("other-integration", "8302", WorkReasons.Webhook, "c2", now)), Ct);
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        await ledger.SaveAsync(new LedgerEntry
        {
            Key = new LedgerKey(h.Integration.Id, Flows.Orders, "8303"), Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.PoisonMessage,
            ErrorMessage = "Retries exhausted", UpdatedAt = now,
        }, Ct);
        await ledger.SaveAsync(new LedgerEntry
        {
            Key = new LedgerKey(h.Integration.Id, Flows.Orders, "8304"), Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.OssCountryTaxMappingMissing, UpdatedAt = now,
        }, Ct);

        var overview = await ops.OverviewAsync(h.Integration.Id, 3, Ct);
        Assert.Equal(2, overview.Flows.Single(f => f.Flow == Flows.Orders).PoisonQueueLength);

        var r = await ops.ReplayPoisonAsync(h.Integration.Id, Ct);
        Assert.Equal((1, 1), (r.FromPoisonQueues, r.FromLedger));
        Assert.Equal(["orders:8301", "orders:8303"], r.Entities.Order(StringComparer.Ordinal));
        var queued = (await h.Queue(StorageNames.OrdersQueue).PeekMessagesAsync(32, Ct)).Value
            .Select(m => QueueWorkQueue.TryParse(m.Body.ToString())!).ToList();
        Assert.Equal(["8301", "8303"], queued.Select(w => w.EntityKey).Order(StringComparer.Ordinal));
        Assert.All(queued, w => Assert.Equal(h.Integration.Id, w.IntegrationId));
        var left = Assert.Single((await poison.PeekMessagesAsync(32, Ct)).Value); // the other integration's message is untouched and visible
        Assert.Equal("other-integration", QueueWorkQueue.TryParse(left.Body.ToString())!.IntegrationId);
    }

    [Fact]
    public async Task Event_log_filters_by_reference_severity_and_flow()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ops = h.Services.GetRequiredService<OperationsService>();
        var log = h.Services.GetRequiredService<IEventLog>();
        var at = DateTimeOffset.UtcNow;
        foreach (var (key, severity, flow) in new[] { ("8401", EventSeverity.Error, Flows.Orders), ("8402", EventSeverity.Info, Flows.Orders), ("8401", EventSeverity.Info, Flows.Orders), ("SH-8401", EventSeverity.Error, Flows.Shipments) })
        {
            at = at.AddSeconds(1);
            await log.AppendAsync(new OperatorEvent { IntegrationId = h.Integration.Id, Flow = flow, EntityKey = key, Severity = severity, Message = $"{key} {severity}", At = at }, Ct);
        }

        Assert.Equal(3, (await ops.EventsAsync(h.Integration.Id, new EventQuery(Reference: "8401"), Ct)).Count);
        Assert.Equal(["SH-8401", "8401"], (await ops.EventsAsync(h.Integration.Id, new EventQuery(Severity: EventSeverity.Error), Ct)).Select(e => e.EntityKey));
        Assert.Equal(["8401"], (await ops.EventsAsync(h.Integration.Id, new EventQuery(Reference: "8401", Severity: EventSeverity.Error, Flow: Flows.Orders), Ct)).Select(e => e.EntityKey));
        Assert.Equal(4, (await ops.EventsAsync(h.Integration.Id, new EventQuery(), Ct)).Count);
    }

    [Fact]
    public async Task Timer_flows_have_panels_stock_by_its_checkpoint_and_events_and_Visma_to_Centra_customers_by_their_rows()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => DemoCustomers.WithCustomers(DemoCatalogue.WithStock(i)) });
        var ops = h.Services.GetRequiredService<OperationsService>();
        var now = DateTimeOffset.UtcNow;
        var syncedUpTo = now.AddMinutes(-3);
        await h.Services.GetRequiredService<ICheckpointStore>().SetAsync(h.Integration.Id, Flows.Stock, syncedUpTo, Ct);
        await h.Services.GetRequiredService<IEventLog>().AppendAsync(new OperatorEvent
        {
            IntegrationId = h.Integration.Id, Flow = Flows.Stock, EntityKey = "ART-1", Severity = EventSeverity.Warning,
            ErrorCode = ErrorCodes.StockSkuUnmapped, Message = "ART-1 has no SKU mapping", At = now,
        }, Ct);
        await h.Services.GetRequiredService<ISyncLedger>().SaveAsync(new LedgerEntry
        {
            Key = new LedgerKey(h.Integration.Id, Flows.ShopCustomers, "10042"), Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.CustomerNumberConflict,
            ErrorMessage = "conflict", UpdatedAt = now,
        }, Ct);

        var overview = await ops.OverviewAsync(h.Integration.Id, 3, Ct);
        var stock = Assert.Single(overview.Flows, f => f.Flow == Flows.Stock);
        Assert.False(stock.HasLedgerRows);
        Assert.Equal(("StockSync", syncedUpTo.ToUnixTimeSeconds()), (stock.Timer, stock.SyncedUpTo!.Value.ToUnixTimeSeconds()));
        Assert.Equal((0, 1), (stock.Days[^1].Synced, stock.Days[^1].Failed));
        var toShop = Assert.Single(overview.Flows, f => f.Flow == Flows.ShopCustomers);
        Assert.Equal(("CustomerSync", 1, false), (toShop.Timer, toShop.Failed, toShop.CanRetry));

        var failed = Assert.Single(await ops.FailedAsync(h.Integration.Id, Flows.ShopCustomers, null, Ct));
        Assert.Equal("the next CustomerSync run retries it", failed.RetryNote);
        var refused = await Assert.ThrowsAsync<JunipeerException>(() => ops.RetryAsync(h.Integration.Id, Flows.ShopCustomers, "10042", Ct));
        Assert.Equal(ErrorCodes.OperationFlowNotSupported, refused.Code);
        Assert.Contains("CustomerSync", refused.Message, StringComparison.Ordinal);
    }
}
