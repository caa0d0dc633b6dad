using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Orders;

/// <summary>The sweep and the Centra connector against the strict Centra emulator over real HTTP, with Azurite.</summary>
public class CentraSweepContractTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CentraOrderSpec Order(int number, DateTimeOffset updatedAt, int store = 1, int market = 1, string country = "SE")
    {
        var spec = DemoData.SwedishOrder(number);
        spec.CreatedAt = updatedAt;
        spec.UpdatedAt = updatedAt;
        spec.StoreId = store;
        spec.MarketId = market;
        spec.BillingAddress!.Country = country;
        spec.ShippingAddress = null;
        return spec;
    }

    [Fact]
    public async Task An_order_updated_between_two_pages_is_neither_lost_nor_passed_by_the_checkpoint()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Settings = { ["Junipeer:Centra:PageSize"] = "2" } });
        var now = h.Sandbox.State.Clock.GetUtcNow();
        var t = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(-2);
        for (var i = 0; i < 5; i++)
        {
            h.AddOrder(Order(3001 + i, t.AddMinutes(i)));
        }

        var checkpoints = h.Services.GetRequiredService<ICheckpointStore>();
        var seenCheckpoints = new List<(int Query, DateTimeOffset? Value)>();
        var moved = t.AddMinutes(30);
        h.Sandbox.State.Centra.OnOrdersQuery = n =>
        {
            seenCheckpoints.Add((n, checkpoints.GetAsync(h.Integration.Id, Flows.Orders, CancellationToken.None).GetAwaiter().GetResult()));
            if (n == 1)
            {
                // Between page 1 (3001, 3002) and page 2: 3001 changes and moves to the end of the updatedAt order.
                // Page numbers would now skip 3003; the keyset read must not.
                h.Sandbox.State.Centra.UpdateOrder(3001, status: "PROCESSING", updatedAt: moved);
            }
        };

        await h.SweepAsync();
        h.Sandbox.State.Centra.OnOrdersQuery = null;

        Assert.Empty(h.Sandbox.State.Contract.All);

        // The checkpoint is persisted per page and never passes an order not yet returned (3003 at t+2).
        Assert.Contains(seenCheckpoints, c => c.Query >= 1 && c.Value is not null);
        Assert.All(seenCheckpoints.Where(c => c.Query <= 1), c => Assert.True(c.Value is null || c.Value <= t.AddMinutes(2), $"checkpoint {c.Value} passed 3003 before it was read"));
        Assert.Equal(moved, await checkpoints.GetAsync(h.Integration.Id, Flows.Orders, Ct));

        await h.DrainAsync();
        Assert.Equal(5, h.Invoices.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(3001 + i))!.Status);
        }
    }

    [Fact]
    public async Task Failed_orders_are_skipped_only_when_the_ledger_holds_Centras_own_updatedAt()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var t = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        t = h.Sandbox.State.Clock.GetUtcNow().AddHours(-1);
        t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, TimeSpan.Zero);
        h.AddOrder(Order(3101, t));
        h.AddOrder(Order(3102, t));
        h.AddOrder(Order(3103, t));
        var ledger = h.Services.GetRequiredService<ISyncLedger>();
        async Task FailAsync(int number, Dictionary<string, string> facts)
        {
            var key = new LedgerKey(h.Integration.Id, Flows.Orders, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await ledger.SaveAsync(new LedgerEntry { Key = key, Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.OrderTotalsInconsistent, LeaseOwner = null, LeaseUntil = null, Facts = facts, UpdatedAt = t.AddDays(1) }, Ct);
        }

        await FailAsync(3101, new() { [OrderSweepHandler.ShopUpdatedAtFact] = t.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        await FailAsync(3102, new() { [OrderSweepHandler.ShopUpdatedAtFact] = t.AddMinutes(-5).ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        await FailAsync(3103, []);

        var sweep = await h.Services.GetRequiredService<OrderSweepHandler>().SweepAsync(h.Integration, Ct);

        // 3101 failed on exactly this version: not retried. 3102 changed since; 3103 was never read: both enqueued,
        // although the ledger row itself is newer than the order (the old rule compared the row's own time).
        Assert.Equal(3, sweep.Seen);
        Assert.Equal(2, sweep.Enqueued);
    }

    [Fact]
    public async Task A_token_without_a_needed_permission_fails_the_order_with_SHOP_PERMISSION_MISSING_naming_it()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3201, h.Sandbox.State.Clock.GetUtcNow().AddMinutes(-5)));
        h.Sandbox.State.Centra.TokenPermissions = CentraState.AllPermissions.Where(p => p != "Order.billingAddress:read").ToHashSet();

        await h.SweepAsync();
        await h.DrainAsync();

        var row = await h.LedgerAsync(3201);
        Assert.Equal(LedgerStatus.Failed, row!.Status);
        Assert.Equal(ErrorCodes.ShopPermissionMissing, row.ErrorCode);
        Assert.Contains("Order.billingAddress:read", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(h.Invoices);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task Voucher_read_is_not_needed_vouchers_still_reach_the_invoice()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        h.AddOrder(Order(3301, h.Sandbox.State.Clock.GetUtcNow().AddMinutes(-5)));
        h.Sandbox.State.Centra.TokenPermissions = CentraState.AllPermissions.Where(p => p != "Voucher:read").ToHashSet();

        await h.SweepAsync();
        await h.DrainAsync();

        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(3301))!.Status);
        Assert.Single(h.Invoices);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task The_sweep_enqueues_only_the_orders_the_integration_owns()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { StoreIds = ["1"], Countries = ["SE"] } } } },
        });
        var t = h.Sandbox.State.Clock.GetUtcNow().AddMinutes(-10);
        h.AddOrder(Order(3401, t, store: 1));                       // owned
        h.AddOrder(Order(3402, t, store: 2));                       // other store: filtered in Centra's query
        h.AddOrder(Order(3403, t.AddSeconds(1), store: 1, country: "NO")); // other country: filtered client side

        var sweep = await h.Services.GetRequiredService<OrderSweepHandler>().SweepAsync(h.Integration, Ct);

        Assert.Equal(2, sweep.Seen);
        Assert.Equal(1, sweep.Enqueued);
        Assert.Empty(h.Sandbox.State.Contract.All);
        await h.DrainAsync();
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(3401))!.Status);
        Assert.Null(await h.LedgerAsync(3402));
        Assert.Null(await h.LedgerAsync(3403));
    }

    [Fact]
    public async Task Saving_a_second_integration_on_the_same_Centra_store_needs_disjoint_ownership_filters()
    {
        await using var h = await EngineHarness.StartAsync(azurite);
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        var secondId = h.Integration.Id + "-no";
        var second = h.Integration with
        {
            Id = secondId,
            Orders = h.Integration.Orders with { ReferencePrefix = "NO-" },
            Erp = h.Integration.Erp with { VismaNet = h.Integration.Erp.VismaNet! with { ClientSecretName = EngineHarness.SecretName(secondId, "VismaClientSecret") } },
            Shop = h.Integration.Shop with
            {
                Centra = h.Integration.Shop.Centra! with
                {
                    TokenSecretName = EngineHarness.SecretName(secondId, "CentraToken"),
                    WebhookSecretName = EngineHarness.SecretName(secondId, "CentraWebhookSecret"),
                },
            },
        };

        // The first integration (no filter) owns every order: a second one on the same store is refused.
        var ex = await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(second with
        {
            Shop = second.Shop with { Centra = second.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["2"] } } },
        }, Ct));
        Assert.Equal(ErrorCodes.ShopOrderOwnershipOverlap, ex.Code);
        Assert.Contains(h.Integration.Id, ex.Message, StringComparison.Ordinal);

        // Filters on both, overlapping (market 1 in both): refused.
        await store.SaveAsync(h.Integration with { Shop = h.Integration.Shop with { Centra = h.Integration.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["1"] } } } }, Ct);
        var overlap = await Assert.ThrowsAsync<JunipeerException>(() => store.SaveAsync(second with
        {
            Shop = second.Shop with { Centra = second.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["1", "2"] } } },
        }, Ct));
        Assert.Equal(ErrorCodes.ShopOrderOwnershipOverlap, overlap.Code);

        // Disjoint: accepted; both stored.
        await store.SaveAsync(second with { Shop = second.Shop with { Centra = second.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { MarketIds = ["2"] } } } }, Ct);
        Assert.Equal(2, (await store.ListAsync(Ct)).Count(i => i.Id.StartsWith(h.Integration.Id, StringComparison.Ordinal)));
    }
}
