using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>Orders → invoices against Azurite and the Sandbox over loopback HTTP, through the real function classes.</summary>
public class OrderFlowTests(AzuriteFixture azurite)
{
    private static CentraOrderSpec Swedish(int number, string? email = null, string country = "SE", string currency = "SEK", decimal rate = 25m)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Currency = currency;
        spec.Customer!.Email = email ?? spec.Customer.Email;
        spec.BillingAddress!.Email = spec.Customer.Email;
        spec.BillingAddress.Country = country;
        spec.Lines[0].TaxPercent = rate;
        spec.Lines[1].TaxPercent = country == "SE" ? 12m : rate;
        return spec;
    }

    [Fact]
    public async Task Webhook_becomes_exactly_one_released_invoice_that_matches_the_order_to_the_cent()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(Swedish(1001));
        var body = EngineHarness.WebhookBody(1001);

        var response = await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(202, response.Status);
        Assert.Equal(1, response.Body.GetProperty("enqueued").GetInt32());
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal("CENTRA-1001", invoice.CustomerRefNumber);
        Assert.Equal("CENTRA-1001", invoice.ExternalReference);
        Assert.Equal("Open", invoice.Status);
        Assert.Equal(order.GrandTotal, invoice.Amount);
        Assert.Equal(order.TotalVat, invoice.VatTotal);
        Assert.Equal("SEK", invoice.CurrencyId);
        Assert.Equal("SE", invoice.VatZoneId);
        var customer = Assert.Single(h.Customers);
        Assert.Equal("DOMESTIC", customer.CustomerClassId);
        Assert.Equal("shopper1001@example.com", customer.Email);

        var entry = await h.LedgerAsync(1001);
        Assert.Equal(LedgerStatus.Done, entry!.Status);
        Assert.Equal(invoice.ReferenceNumber, entry.Document("invoice"));
        Assert.Equal("Domestic", entry.Facts["vatCase"]);
        Assert.Contains(await h.EventsAsync(), e => e.EntityKey == "1001" && e.Message.Contains(invoice.ReferenceNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Duplicate_webhooks_and_an_overlapping_sweep_still_give_one_invoice()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Swedish(1002));
        var body = EngineHarness.WebhookBody(1002);

        Assert.Equal(1, (await h.PostWebhookAsync(body, h.Sign(body))).Body.GetProperty("enqueued").GetInt32());
        var again = await h.PostWebhookAsync(body, h.Sign(body, DateTimeOffset.UtcNow.AddSeconds(3))); // Centra's retry: new t, same event
        Assert.Equal(202, again.Status);
        Assert.Equal(1, again.Body.GetProperty("enqueued").GetInt32()); // the intake keeps no inbox: a redelivery is enqueued again
        Assert.Equal(2, await h.QueueLengthAsync(StorageNames.OrdersQueue));

        await h.SweepAsync(); // the sweep enqueues it too: the ledger, not the intake, guarantees one effect
        Assert.Equal(3, await h.QueueLengthAsync(StorageNames.OrdersQueue));
        await h.DrainAsync();

        Assert.Single(h.Invoices);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
    }

    [Fact]
    public async Task Dropped_webhook_is_caught_by_the_sweep_and_the_checkpoint_advances()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(Swedish(1003));

        await h.SweepAsync();
        await h.DrainAsync();

        var invoice = Assert.Single(h.Invoices);
        Assert.Equal("CENTRA-1003", invoice.CustomerRefNumber);
        var checkpoint = await h.Services.GetRequiredService<ICheckpointStore>().GetAsync(h.Integration.Id, Flows.Orders, TestContext.Current.CancellationToken);
        Assert.Equal(order.UpdatedAt, checkpoint);

        await h.SweepAsync(); // already invoiced: nothing enqueued again
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task A_known_customer_costs_two_visma_calls_create_and_release()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Swedish(1004, "returning@example.se"));
        h.AddOrder(Swedish(1005, "returning@example.se"));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(2, h.Invoices.Count);
        Assert.Single(h.Customers);

        h.AddOrder(Swedish(1006, "returning@example.se"));
        var before = h.VismaCalls;
        await h.PostWebhookAsync(EngineHarness.WebhookBody(1006), h.Sign(EngineHarness.WebhookBody(1006)));
        await h.DrainAsync();
        Assert.Equal(2, h.VismaCalls - before);
        Assert.Equal(3, h.Invoices.Count);
    }

    [Fact]
    public async Task Lost_responses_after_commit_are_recovered_by_lookup_without_duplicates()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var order = h.AddOrder(Swedish(1007));
        await h.SweepAsync();

        // First two deliveries: every write commits in Visma but the response is lost
        // (customer create, then invoice create). Third delivery: the network is fine again.
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await h.DrainAsync(attempt => h.Sandbox.State.Faults.VismaCommitThenDropRate = attempt < 2 ? 1.0 : 0.0);

        var invoice = Assert.Single(h.Invoices);
        Assert.Single(h.Customers);
        Assert.Equal("Open", invoice.Status);
        Assert.Equal(order.GrandTotal, invoice.Amount);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
        Assert.True(h.Sandbox.State.Stats.Count("visma GET /v1/customerinvoice") >= 1, "the retry looked the invoice up by reference");
        Assert.Equal(invoice.ReferenceNumber, (await h.LedgerAsync(1007))!.Document("invoice"));
    }

    [Fact]
    public async Task Rate_limit_429_is_waited_out_with_Retry_After_and_the_order_completes()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        h.AddOrder(Swedish(1008));
        await h.SweepAsync();
        h.Sandbox.State.Faults.RetryAfterSeconds = 2;
        h.Sandbox.State.Faults.Visma429Burst = 3;

        await h.DrainAsync();

        Assert.Single(h.Invoices);
        Assert.Equal(0, h.Sandbox.State.Faults.Visma429Burst);
        Assert.True(time.TotalWaited >= TimeSpan.FromSeconds(6), $"waited {time.TotalWaited} of virtual time");
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(1008))!.Status);
    }

    [Fact]
    public async Task A_long_Retry_After_requeues_the_order_with_a_delay_instead_of_waiting()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        h.AddOrder(Swedish(1009));
        await h.SweepAsync();
        h.Sandbox.State.Faults.RetryAfterSeconds = 120;
        h.Sandbox.State.Faults.Visma429Burst = 1000;

        Assert.Equal(1, await h.DrainAsync());

        Assert.Empty(h.Invoices);
        var entry = await h.LedgerAsync(1009);
        Assert.Equal(LedgerStatus.Pending, entry!.Status);
        Assert.Equal(ErrorCodes.ErpRateLimited, entry.ErrorCode);
        Assert.Null(entry.LeaseOwner);
        var props = await h.Queue(StorageNames.OrdersQueue).GetPropertiesAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, props.Value.ApproximateMessagesCount); // the delayed copy, invisible for now
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Unmapped_country_fails_with_its_code_and_writes_nothing_to_Visma()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Swedish(1010, country: "IT", currency: "EUR", rate: 22m));
        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Empty(h.Invoices);
        Assert.Empty(h.Customers);
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma POST"));
        var entry = await h.LedgerAsync(1010);
        Assert.Equal(LedgerStatus.Failed, entry!.Status);
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing, entry.ErrorCode);
        var e = Assert.Single(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.OssCountryTaxMappingMissing);
        Assert.Contains("Vat.Countries", e.Fix, StringComparison.Ordinal);

        // The sweep judges "unchanged" by Centra's own updatedAt, which the order handler records as the ledger fact
        // shopUpdatedAt when it reads the order (written here as the handler does, in round-trip format).
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        var read = h.Sandbox.State.Centra.Order(1010)!.UpdatedAt;
        var latest = (await h.LedgerAsync(1010))!;
        await ledger.SaveAsync(latest with { Facts = new Dictionary<string, string>(latest.Facts) { [Junipeer.Core.Orders.OrderSweepHandler.ShopUpdatedAtFact] = read.ToString("O", System.Globalization.CultureInfo.InvariantCulture) } }, TestContext.Current.CancellationToken);

        await h.SweepAsync(); // unchanged failed order: not retried in a loop
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));
    }

    [Fact]
    public async Task Exhausted_customer_number_series_fails_with_CUSTOMER_NUMBER_SERIES_EXHAUSTED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Company = c => { c.CustomerStart = "10000"; c.CustomerEnd = "10000"; c.CustomerLast = "10000"; return c; },
        });
        h.AddOrder(Swedish(1011));
        await h.SweepAsync();
        await h.DrainAsync();

        var entry = await h.LedgerAsync(1011);
        Assert.Equal(LedgerStatus.Failed, entry!.Status);
        Assert.Equal(ErrorCodes.CustomerNumberSeriesExhausted, entry.ErrorCode);
        Assert.Contains("Cannot generate the next number", entry.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(h.Invoices);
    }

    [Fact]
    public async Task Persistent_5xx_ends_in_poison_as_Failed_with_SYNC_RETRIES_EXHAUSTED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { MaxDequeueCount = 3 });
        h.AddOrder(Swedish(1012));
        await h.SweepAsync();
        h.Sandbox.State.Faults.Visma5xxRate = 1.0;

        Assert.Equal(3, await h.DrainAsync());

        var entry = await h.LedgerAsync(1012);
        Assert.Equal(LedgerStatus.Failed, entry!.Status);
        Assert.Equal(ErrorCodes.PoisonMessage, entry.ErrorCode);
        Assert.Contains(ErrorCodes.ErpUnavailable, entry.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.PoisonMessage && e.EntityKey == "1012");
        Assert.Empty(h.Invoices);
    }

    [Fact]
    public async Task Order_missing_in_Centra_fails_with_ORDER_NOT_FOUND_IN_SHOP_once_its_retry_time_is_over()
    {
        // No retry time: the first miss is final (the backoff itself is covered in RailsFlowTests).
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Settings = new() { ["Junipeer:Orders:OrderNotFoundRetryMinutes"] = "0" },
        });
        var body = EngineHarness.WebhookBody(4242);
        await h.PostWebhookAsync(body, h.Sign(body));
        await h.DrainAsync();
        Assert.Equal(ErrorCodes.OrderNotFoundInShop, (await h.LedgerAsync(4242))!.ErrorCode);
    }

    [Fact]
    public async Task Two_invoices_with_the_same_reference_fail_with_DUPLICATE_INVOICE_FOR_ORDER()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Swedish(1013));
        await h.SweepAsync();
        // Both creates commit but both responses are lost; a third attempt finds two invoices.
        await h.DrainAsync(attempt => h.Sandbox.State.Faults.VismaCommitThenDropRate = attempt < 1 ? 1.0 : 0.0);
        Assert.Single(h.Invoices);

        // Someone creates a second invoice with the same reference outside the integration.
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        var entry = (await h.LedgerAsync(1013))!;
        await ledger.SaveAsync(entry with { Status = LedgerStatus.Pending, Documents = entry.Documents.Where(d => d.Key != "invoice").ToDictionary(), Phase = nameof(Junipeer.Core.Orders.OrderPhase.InvoiceCreateAttempted) }, TestContext.Current.CancellationToken);
        var adapter = h.Services.GetRequiredService<Junipeer.Core.Erp.IErpResolver>().For(h.Integration);
        var draft = Junipeer.Tests.Engine.TestData.Order("SE", [Junipeer.Tests.Engine.TestData.Line("X", 1, 100m, 25)]);
        var mapped = Junipeer.Core.Orders.InvoiceMapper.Map(draft, Junipeer.Core.Vat.VatEngine.Decide(h.Integration.Vat, new("SE", "1", false, null)),
            await adapter.ReferenceData.GetVatCategoriesAsync(h.Integration, TestContext.Current.CancellationToken), h.Integration.Orders, entry.Document("customer")!);
        await adapter.Invoices.CreateInvoiceAsync(h.Integration, mapped with { Reference = "CENTRA-1013" }, TestContext.Current.CancellationToken);

        await h.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new WorkItem
        {
            Kind = WorkKinds.Order, IntegrationId = h.Integration.Id, EntityKey = "1013", Reason = WorkReasons.Replay, CorrelationId = "dup",
        }, null, TestContext.Current.CancellationToken);
        await h.DrainAsync();
        Assert.Equal(ErrorCodes.DuplicateInvoiceForOrder, (await h.LedgerAsync(1013))!.ErrorCode);
    }

    [Fact]
    public async Task Shared_customer_strategy_without_a_mapping_fails_with_SHARED_CUSTOMER_NOT_CONFIGURED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with
            {
                Orders = i.Orders with
                {
                    CustomerStrategy = CustomerStrategy.SharedPerMarket,
                    SharedCustomers = new Dictionary<string, string> { ["NO"] = "10001" },
                },
            },
        });
        h.AddOrder(Swedish(1014));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(ErrorCodes.SharedCustomerNotConfigured, (await h.LedgerAsync(1014))!.ErrorCode);
        Assert.Empty(h.Customers);
    }

    [Fact]
    public async Task Disabled_orders_flow_enqueues_nothing_and_reports_FLOW_DISABLED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => i with { Orders = i.Orders with { Enabled = false } } });
        h.AddOrder(Swedish(1015));
        var body = EngineHarness.WebhookBody(1015);
        var response = await h.PostWebhookAsync(body, h.Sign(body));
        Assert.Equal(202, response.Status);
        Assert.Equal(1, response.Body.GetProperty("ignored").GetInt32());
        Assert.Equal(0, await h.QueueLengthAsync(StorageNames.OrdersQueue));

        // A replayed item for the disabled flow is reported, not synced.
        var handler = h.Services.GetRequiredService<Junipeer.Core.Orders.OrderSyncHandler>();
        var result = await handler.HandleAsync(new WorkItem { Kind = WorkKinds.Order, IntegrationId = h.Integration.Id, EntityKey = "1015", Reason = "replay", CorrelationId = "c" }, "w", TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCodes.FlowDisabled, result.ErrorCode);
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.FlowDisabled);
        Assert.Empty(h.Invoices);
    }

    [Fact]
    public async Task Unreadable_queue_message_is_logged_with_QUEUE_MESSAGE_INVALID_and_completed()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var logs = new ListLoggerProvider();
        var fn = new OrderSyncFunction(h.Services.GetRequiredService<Junipeer.Core.Orders.OrderSyncHandler>(), logs.CreateLogger<OrderSyncFunction>());
        await fn.Run("{\"not\":\"a work item\"}", TestContext.Current.CancellationToken);
        Assert.Contains(logs.Messages, m => m.Contains(ErrorCodes.QueueMessageInvalid, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_orders_share_one_VAT_category_fetch_and_each_get_one_invoice()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var numbers = Enumerable.Range(1101, 8).ToList();
        foreach (var n in numbers)
        {
            h.AddOrder(Swedish(n));
        }

        var handler = h.Services.GetRequiredService<Junipeer.Core.Orders.OrderSyncHandler>();
        var results = await Task.WhenAll(numbers.Concat(numbers).Select(n => handler.HandleAsync(
            WorkItem.ForOrder(h.Integration.Id, n.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Replay, $"c{n}", DateTimeOffset.UtcNow),
            Guid.NewGuid().ToString("N"), TestContext.Current.CancellationToken)));

        Assert.Equal(8, h.Invoices.Count);
        Assert.Equal(8, h.Invoices.Select(i => i.CustomerRefNumber).Distinct().Count());
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma GET /v1/vatCategory"));
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { Junipeer.Core.Orders.SyncOutcome.Done, Junipeer.Core.Orders.SyncOutcome.AlreadyDone, Junipeer.Core.Orders.SyncOutcome.Requeued }));
    }
}
