using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Rails;

/// <summary>
/// The holes the outside review found, each against Azurite and the Sandbox over loopback HTTP:
/// lost storage, a new buyer ordering twice at once, lost responses without e-mail and on release,
/// a prefix changed before a replay, a webhook that arrives before its order is readable.
/// </summary>
public class RailsFlowTests(AzuriteFixture azurite)
{
    private static CentraOrderSpec Order(int number, string? email, int customerId = 1)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Customer!.Email = email;
        spec.Customer.Id = customerId;
        spec.BillingAddress!.Email = email;
        return spec;
    }

    [Fact]
    public async Task Losing_all_storage_and_replaying_every_order_creates_no_new_invoice_or_customer()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        for (var n = 3001; n <= 3010; n++)
        {
            var spec = Order(n, $"buyer{n % 4}@example.com");
            spec.GiftCertificate = n % 3 == 0 ? 100m : 0m; // some orders carry a gift-certificate payment
            h.AddOrder(spec);
        }

        h.AddOrder(Order(3011, email: null, customerId: 9011));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(11, h.Invoices.Count);
        var customers = h.Customers.Count;
        var payments = h.Payments.Count;
        Assert.Equal(3, payments);

        await h.WipeStorageAsync();
        var callsBefore = h.VismaCalls;
        var postsBefore = h.Sandbox.State.Stats.CountPrefix("visma POST");
        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Equal(11, h.Invoices.Count);
        Assert.Equal(customers, h.Customers.Count);
        Assert.Equal(payments, h.Payments.Count);
        Assert.Equal(postsBefore, h.Sandbox.State.Stats.CountPrefix("visma POST")); // not one write
        for (var n = 3001; n <= 3011; n++)
            Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(n))!.Status);

        // Right after the loss the index cannot vouch (a create sent before it may still land), so each
        // replayed order is looked up by reference: one read, no write.
        var replayCalls = h.VismaCalls - callsBefore;
        Assert.True(replayCalls <= 11 * 2 + 2, $"replay cost {replayCalls} Visma calls for 11 orders");
    }

    [Fact]
    public async Task After_the_uncertain_period_the_index_vouches_and_a_replay_costs_one_delta_read()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { EngineTime = time });
        for (var n = 3101; n <= 3108; n++)
            h.AddOrder(Order(n, $"buyer{n}@example.com"));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(8, h.Invoices.Count);

        await h.WipeStorageAsync();
        await h.SweepAsync(); // starts a new storage epoch when the first order asks
        time.Advance(TimeSpan.FromMinutes(10));
        var before = h.Sandbox.State.Stats.Count("visma GET /v1/customerinvoice");
        var posts = h.Sandbox.State.Stats.CountPrefix("visma POST");
        await h.DrainAsync();

        Assert.Equal(8, h.Invoices.Count);
        Assert.Equal(posts, h.Sandbox.State.Stats.CountPrefix("visma POST"));
        Assert.True(h.Sandbox.State.Stats.Count("visma GET /v1/customerinvoice") - before <= 2, "the index answered the replay with one or two delta reads");
    }

    [Fact]
    public async Task One_new_buyer_ordering_twice_at_once_gets_one_customer()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.Sandbox.State.Faults.VismaLatencyMs = 150; // both orders overlap in the customer step
        h.AddOrder(Order(3201, "twice@example.com"));
        h.AddOrder(Order(3202, "twice@example.com"));

        var results = await Task.WhenAll(h.HandleAsync(3201, "w1"), h.HandleAsync(3202, "w2"));
        Assert.Contains(results, r => r.Outcome == SyncOutcome.Done);
        foreach (var n in results.Select((r, i) => (r, n: 3201 + i)).Where(x => x.r.Outcome != SyncOutcome.Done).Select(x => x.n))
            Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(n, "w3", requeues: 1)).Outcome);

        Assert.Single(h.Customers);
        Assert.Equal(2, h.Invoices.Count);
        Assert.Single(h.Invoices.Select(i => i.CustomerNumber).Distinct());
    }

    [Fact]
    public async Task A_lost_customer_create_response_for_a_buyer_without_email_resolves_by_the_buyer_key()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3301, email: null, customerId: 77301));
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/customer";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<Exception>(() => h.HandleAsync(3301, "w1"));
        Assert.Single(h.Customers); // committed, but the response was lost
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0;

        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3301, "w2")).Outcome);
        var customer = Assert.Single(h.Customers);
        Assert.Equal(customer.Number, Assert.Single(h.Invoices).CustomerNumber);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customer"));
    }

    [Fact]
    public async Task A_release_whose_response_was_lost_is_resolved_by_the_invoice_status_not_by_wording()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3401, "release@example.com"));
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/customerinvoice/"; // the release POST
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;

        // The release lands, its answer is lost; the same attempt reads the invoice's status and goes on.
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3401, "w1")).Outcome);
        Assert.Equal("Open", Assert.Single(h.Invoices).Status);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customerinvoice/{invoiceNumber}/action/release"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0;

        // A replay neither releases again nor creates anything.
        Assert.Equal(SyncOutcome.AlreadyDone, (await h.HandleAsync(3401, "w2")).Outcome);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v1/customerinvoice/{invoiceNumber}/action/release"));
        Assert.Single(h.Invoices);
    }

    [Fact]
    public async Task A_create_that_times_out_and_lands_after_the_next_lookup_is_not_created_twice()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            EngineTime = time,
            Settings =
            {
                ["Junipeer:VismaNet:TimeoutSeconds"] = "1",
                ["Junipeer:Orders:MaxInProcessWaitSeconds"] = "0",
                ["Junipeer:Orders:LeaseSeconds"] = "60",
            },
        });
        h.AddOrder(Order(3601, "late@example.com"));
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v2/customerinvoice";
        h.Sandbox.State.Faults.VismaCommitLateMs = 6000; // Visma commits 6 s after a client that waits 1 s
        h.Sandbox.State.Faults.VismaCommitLateCount = 1;

        await Assert.ThrowsAnyAsync<Exception>(() => h.HandleAsync(3601, "w1")); // timed out
        Assert.Empty(h.Invoices);

        // Retried at once: the lookup finds nothing yet, and that proves nothing while the create may land.
        var waiting = await h.HandleAsync(3601, "w2");
        Assert.Equal(SyncOutcome.Requeued, waiting.Outcome);
        Assert.Equal(ErrorCodes.ErpWriteUnconfirmed, waiting.ErrorCode);

        // The late create lands (real time, in the Sandbox); past the timed-out attempt's lease the lookup decides.
        await Eventually.TrueAsync(() => h.Invoices.Count == 1, TimeSpan.FromSeconds(20)); // lands in the Sandbox, in real time
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3601, "w3")).Outcome);

        Assert.Single(h.Invoices);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
    }

    [Fact]
    public async Task A_ledger_lost_while_a_create_is_in_flight_does_not_lead_to_a_second_create()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            EngineTime = time,
            Settings =
            {
                ["Junipeer:VismaNet:TimeoutSeconds"] = "1",
                ["Junipeer:Orders:MaxInProcessWaitSeconds"] = "0",
                ["Junipeer:Orders:LeaseSeconds"] = "60",
            },
        });
        h.AddOrder(Order(3701, "inflight@example.com"));
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v2/customerinvoice";
        h.Sandbox.State.Faults.VismaCommitLateMs = 6000;
        h.Sandbox.State.Faults.VismaCommitLateCount = 1;
        await Assert.ThrowsAnyAsync<Exception>(() => h.HandleAsync(3701, "w1")); // the create is still in flight

        await h.WipeLedgerAsync(); // the row that knew about the attempt is gone, and so is the storage epoch

        // A fresh row on a ledger that was just lost: the ERP has nothing yet, and that proves nothing.
        var waiting = await h.HandleAsync(3701, "w2");
        Assert.Equal(SyncOutcome.Requeued, waiting.Outcome);
        Assert.Equal(ErrorCodes.LedgerEpochUnsettled, waiting.ErrorCode);

        await Eventually.TrueAsync(() => h.Invoices.Count == 1, TimeSpan.FromSeconds(20)); // lands in the Sandbox, in real time
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3701, "w3")).Outcome);

        Assert.Single(h.Invoices);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("visma POST /v2/customerinvoice"));
    }

    [Fact]
    public async Task A_prefix_changed_before_a_replay_still_finds_the_invoice_of_the_first_attempt()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3501, "prefix@example.com"));
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v2/customerinvoice";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1.0;
        await Assert.ThrowsAnyAsync<Exception>(() => h.HandleAsync(3501, "w1"));
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0;
        Assert.Equal("CENTRA-3501", Assert.Single(h.Invoices).CustomerRefNumber);

        var changed = h.Integration with { Orders = h.Integration.Orders with { ReferencePrefix = "SHOP-" } };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(changed, TestContext.Current.CancellationToken);
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3501, "w2")).Outcome);

        Assert.Single(h.Invoices);
        Assert.Equal("CENTRA-3501", (await h.LedgerAsync(3501))!.Facts[OrderFacts.Reference]);
    }

    [Fact]
    public async Task A_prefix_changed_and_then_the_ledger_lost_still_finds_the_invoice_under_the_old_prefix()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3801, "oldprefix@example.com"));
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3801, "w1")).Outcome);
        Assert.Equal("CENTRA-3801", Assert.Single(h.Invoices).CustomerRefNumber);

        var store = h.Services.GetRequiredService<IIntegrationStore>();
        await store.SaveAsync(h.Integration with { Orders = h.Integration.Orders with { ReferencePrefix = "SHOP-" } }, TestContext.Current.CancellationToken);
        var saved = (await store.GetAsync(h.Integration.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal(["CENTRA-"], saved.Orders.PreviousReferencePrefixes); // kept by the save itself

        await h.WipeLedgerAsync(); // the stored reference of the first attempt is gone too
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3801, "w2")).Outcome);

        Assert.Single(h.Invoices);
        Assert.Equal("CENTRA-3801", (await h.LedgerAsync(3801))!.Facts[OrderFacts.Reference]);
    }

    [Fact]
    public async Task A_webhook_before_its_order_is_readable_is_retried_with_backoff_and_then_invoiced()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var first = await h.HandleAsync(3601, "w1");
        Assert.Equal(SyncOutcome.Requeued, first.Outcome);
        Assert.Equal(Junipeer.Core.Errors.ErrorCodes.OrderNotFoundInShop, first.ErrorCode);
        Assert.Null(await h.LedgerAsync(3601)); // nothing stored: the sweep will not skip it as "unchanged"

        h.AddOrder(Order(3601, "late@example.com"));
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3601, "w2", requeues: 1)).Outcome);
        Assert.Single(h.Invoices);
    }

    [Fact]
    public async Task A_known_customer_order_costs_two_visma_calls_in_steady_state()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3701, "known@example.com"));
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(3701)).Outcome);

        var before = h.VismaCalls;
        for (var n = 3702; n <= 3711; n++)
        {
            h.AddOrder(Order(n, "known@example.com"));
            Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(n)).Outcome);
        }

        var perOrder = (h.VismaCalls - before) / 10.0;
        Assert.True(perOrder <= 2.1, $"{perOrder} Visma calls per known-customer order");
    }

    [Fact]
    public async Task Two_erp_customers_with_the_buyers_key_fail_with_DUPLICATE_CUSTOMER_FOR_BUYER()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var customers = h.Services.GetRequiredService<Junipeer.Core.Erp.IErpResolver>().For(h.Integration).Customers;
        var key = CustomerResolver.LookupKey("e:dup@example.com"); // the buyer key of an order with that e-mail
        foreach (var name in new[] { "Dup One", "Dup Two" })
        {
            await customers.CreateCustomerAsync(h.Integration, new Junipeer.Core.Erp.ErpCustomerDraft
            {
                Name = name, CustomerClassId = "DOMESTIC", LookupKey = key,
            }, TestContext.Current.CancellationToken);
        }

        h.AddOrder(Order(3801, "dup@example.com"));
        var result = await h.HandleAsync(3801);
        Assert.Equal(SyncOutcome.Failed, result.Outcome);
        Assert.Equal(Junipeer.Core.Errors.ErrorCodes.DuplicateCustomerForBuyer, result.ErrorCode);
        Assert.Contains(key, result.Message, StringComparison.Ordinal);
        Assert.Empty(h.Invoices);
    }

    [Fact]
    public async Task An_order_another_integration_on_the_store_owns_is_skipped_even_when_its_webhook_arrives_here()
    {
        // This integration owns Norway's orders only; a Swedish order's webhook is posted to it anyway.
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { Countries = ["NO"] } } } },
        });
        h.AddOrder(Order(3901, "owned@example.com"));

        var result = await h.HandleAsync(3901);

        Assert.Equal(SyncOutcome.Skipped, result.Outcome);
        Assert.Contains("another integration", result.Message, StringComparison.Ordinal);
        Assert.Empty(h.Invoices);
        Assert.Empty(h.Customers);
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma POST"));
        Assert.Equal(LedgerStatus.Skipped, (await h.LedgerAsync(3901))!.Status);
    }

    [Fact]
    public async Task Orders_failed_by_an_outage_are_retried_by_the_sweep_with_backoff_and_ones_needing_a_fix_are_not()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        var now = DateTimeOffset.UtcNow;
        async Task FailedAsync(string number, string code, TimeSpan ago) =>
            await ledger.SaveAsync(new LedgerEntry
            {
                Key = new LedgerKey(h.Integration.Id, Flows.Orders, number), Status = LedgerStatus.Failed, Phase = nameof(OrderPhase.InvoiceCreateAttempted),
                ErrorCode = code, Attempts = 1, UpdatedAt = now - ago,
                Facts = new Dictionary<string, string> { [OrderFacts.ShopUpdatedAt] = now.AddDays(-2).ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
            }, TestContext.Current.CancellationToken);
        await FailedAsync("4001", Junipeer.Core.Errors.ErrorCodes.PoisonMessage, TimeSpan.FromMinutes(20));
        await FailedAsync("4002", Junipeer.Core.Errors.ErrorCodes.OssCountryTaxMappingMissing, TimeSpan.FromMinutes(20));
        await FailedAsync("4003", Junipeer.Core.Errors.ErrorCodes.ErpUnavailable, TimeSpan.FromMinutes(1));

        await h.SweepAsync();

        var messages = (await h.Queue(Junipeer.Storage.StorageNames.OrdersQueue).PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value;
        var message = Assert.Single(messages);
        Assert.Contains("\"4001\"", message.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_cancelled_after_an_attempt_that_left_no_invoice_is_not_invoiced()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(4100, "cancel@example.com")); // the buyer and the VAT categories become known
        Assert.Equal(SyncOutcome.Done, (await h.HandleAsync(4100, "w0")).Outcome);
        h.AddOrder(Order(4101, "cancel@example.com"));
        h.Sandbox.State.Faults.Visma5xxRate = 1.0; // the create (the first Visma call now) fails before anything is committed
        await Assert.ThrowsAnyAsync<Exception>(() => h.HandleAsync(4101, "w1"));
        h.Sandbox.State.Faults.Visma5xxRate = 0;
        Assert.Equal(nameof(OrderPhase.InvoiceCreateAttempted), (await h.LedgerAsync(4101))!.Phase);

        h.Sandbox.State.Centra.UpdateOrder(4101, status: "CANCELLED");
        var result = await h.HandleAsync(4101, "w2");

        Assert.Equal(SyncOutcome.Skipped, result.Outcome);
        Assert.Single(h.Invoices); // 4100's only
        Assert.Equal(LedgerStatus.Skipped, (await h.LedgerAsync(4101))!.Status);
    }

    [Fact]
    public async Task A_second_integration_on_the_same_erp_company_needs_its_own_reference_prefix()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        await store.SaveAsync(h.Integration with { Shop = h.Integration.Shop with { Centra = h.Integration.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["1"] } } } }, TestContext.Current.CancellationToken);
        var id = h.Integration.Id + "-no";
        var second = h.Integration with
        {
            Id = id,
            Erp = h.Integration.Erp with { VismaNet = h.Integration.Erp.VismaNet! with { ClientSecretName = EngineHarness.SecretName(id, "VismaClientSecret") } },
            Shop = h.Integration.Shop with
            {
                Centra = h.Integration.Shop.Centra! with
                {
                    TokenSecretName = EngineHarness.SecretName(id, "CentraToken"),
                    WebhookSecretName = EngineHarness.SecretName(id, "CentraWebhookSecret"),
                    OrderFilter = new OrderOwnershipFilter { MarketIds = ["2"] },
                },
            },
        };

        var ex = await Assert.ThrowsAsync<Junipeer.Core.Errors.JunipeerException>(() => store.SaveAsync(second, TestContext.Current.CancellationToken));
        Assert.Equal(Junipeer.Core.Errors.ErrorCodes.IntegrationReferencePrefixConflict, ex.Code);
        await store.SaveAsync(second with { Orders = second.Orders with { ReferencePrefix = "NO-" } }, TestContext.Current.CancellationToken);
    }
}
