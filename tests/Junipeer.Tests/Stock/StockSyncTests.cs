using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Stock;
using Junipeer.Core.Sync;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Junipeer.Tests.Stock.StockTestKit;

namespace Junipeer.Tests.Stock;

/// <summary>Stock, Visma.net → Centra, against Azurite and both emulators over loopback HTTP (strict contracts).</summary>
public class StockSyncTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task First_run_sets_every_mapped_size_in_batches_then_only_changed_quantities_are_sent()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i, batchSize: 10) });
        SeedCatalogue(h, 25);
        await MapAsync(h, Enumerable.Range(1, 25));

        await RunTimerAsync(h);
        Assert.Empty(Divergent(h, Enumerable.Range(1, 25)));
        Assert.Equal(3, SetStockCalls(h)); // 25 sizes, 10 per call
        Assert.NotNull(await h.Services.GetRequiredService<ICheckpointStore>().GetAsync(h.Integration.Id, Flows.Stock, Ct));

        // Two stock movements in Visma: the next run sends exactly those two sizes, in one call.
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(4), "MAIN", 40);
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(7), "MAIN", 0);
        var second = await SyncAsync(h);
        Assert.Equal(2, second.Sent);
        Assert.Equal(1, second.ShopCalls);
        Assert.Equal(4, SetStockCalls(h));
        Assert.Empty(Divergent(h, Enumerable.Range(1, 25)));
        Assert.Equal(40, h.Sandbox.State.Centra.Sizes().Single(s => s.Sku == Sku(4)).Stock[CentraMain]);

        // Nothing changed: the overlap re-reads the same changes, nothing is sent.
        var third = await SyncAsync(h);
        Assert.Equal(0, third.ShopCalls);
        Assert.Equal(4, SetStockCalls(h));
        ContractAssert.NoVismaViolations(h.Sandbox.State);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task A_movement_that_leaves_the_quantity_unchanged_sends_nothing_and_negative_or_fractional_availability_is_clamped()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 3, available: i => i == 1 ? -2m : 2.7m);
        await MapAsync(h, [1, 2, 3]);
        await SyncAsync(h);
        var sizes = h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku);
        Assert.Equal(0, sizes[Sku(1)].Stock[CentraMain]);
        Assert.Equal(2, sizes[Sku(2)].Stock[CentraMain]);

        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(2), "MAIN", 2.9m); // timestamp moves, whole units do not
        var run = await SyncAsync(h);
        Assert.Equal(0, run.ShopCalls);
        Assert.True(run.Unchanged >= 1);
    }

    [Fact]
    public async Task Several_warehouses_map_to_their_own_Centra_warehouse_and_unmapped_Visma_warehouses_are_ignored()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i, outlet: true) });
        SeedCatalogue(h, 6, outlet: true);
        await MapAsync(h, Enumerable.Range(1, 6));
        var run = await SyncAsync(h);

        Assert.Equal(2, run.ShopCalls); // one per Centra warehouse
        Assert.Empty(Divergent(h, Enumerable.Range(1, 6)));
        Assert.Empty(Divergent(h, Enumerable.Range(1, 6), "OUTLET", CentraOutlet));
        Assert.All(h.Sandbox.State.Centra.Sizes(), s => Assert.Equal(2, s.Stock.Count)); // OTHER is not mapped
    }

    [Fact]
    public async Task An_article_without_a_SKU_mapping_is_reported_and_skipped_and_the_others_are_synced()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 5);
        await MapAsync(h, [1, 2, 4, 5]); // article 3 has no mapping

        var run = await SyncAsync(h);
        Assert.Equal(["ART00003"], run.Unmapped);
        Assert.Empty(Divergent(h, [1, 2, 4, 5]));
        Assert.DoesNotContain(3, h.Sandbox.State.Centra.Sizes().Single(s => s.Sku == Sku(3)).Stock.Keys);
        var e = Assert.Single(await h.EventsAsync(), x => x.ErrorCode == ErrorCodes.StockSkuUnmapped);
        Assert.Equal("ART00003", e.EntityKey);
        Assert.Contains("diagnose sku", e.Fix, StringComparison.Ordinal);
        Assert.NotNull(run.Checkpoint); // not fatal: the checkpoint still advances
    }

    [Fact]
    public async Task A_SKU_that_Centra_does_not_know_is_reported_and_the_rest_of_the_batch_is_applied()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 3);
        await MapAsync(h, [1, 2, 3]);
        await h.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(h.Integration.Id, MappingKinds.Sku, [KeyValuePair.Create(Number(2), "GONE-FROM-CENTRA")], Ct);

        var run = await SyncAsync(h);
        Assert.Equal(["shop SKU GONE-FROM-CENTRA"], run.Unmapped);
        Assert.Empty(Divergent(h, [1, 3]));
        Assert.Contains(await h.EventsAsync(), x => x.ErrorCode == ErrorCodes.StockSkuUnmapped && x.Message.Contains("GONE-FROM-CENTRA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_5xx_lost_responses_and_a_restart_the_shop_converges_to_the_ERP_quantities()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i, batchSize: 4) });
        SeedCatalogue(h, 10);
        await MapAsync(h, Enumerable.Range(1, 10));
        var checkpoints = h.Services.GetRequiredService<ICheckpointStore>();

        // Centra answers 500 to everything: the run fails, the checkpoint does not move.
        h.Sandbox.State.Faults.Centra5xxRate = 1;
        var failed = (await h.Services.GetRequiredService<StockSyncHandler>().RunAsync(Ct))[h.Integration.Id];
        Assert.Equal(ErrorCodes.ShopUnavailable, failed.ErrorCode);
        Assert.Null(await checkpoints.GetAsync(h.Integration.Id, Flows.Stock, Ct));
        Assert.Contains(await h.EventsAsync(), e => e.ErrorCode == ErrorCodes.ShopUnavailable && e.Flow == Flows.Stock);

        // Centra applies every setStock but the replies are lost: still failing, but the levels landed once or more.
        h.Sandbox.State.Faults.Centra5xxRate = 0;
        h.Sandbox.State.Faults.CentraCommitThenDropRate = 1;
        Assert.NotNull((await h.Services.GetRequiredService<StockSyncHandler>().RunAsync(Ct))[h.Integration.Id].ErrorCode);
        Assert.Null(await checkpoints.GetAsync(h.Integration.Id, Flows.Stock, Ct));

        // Meanwhile the ERP moves on.
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(5), "MAIN", 55);

        // A restart (a fresh handler: nothing remembered) with Centra healthy: everything converges.
        h.Sandbox.State.Faults.CentraCommitThenDropRate = 0;
        var restarted = ActivatorUtilities.CreateInstance<StockSyncHandler>(h.Services);
        var ok = await restarted.SyncAsync(h.Integration, Ct);
        Assert.Null(ok.ErrorCode);
        Assert.Empty(Divergent(h, Enumerable.Range(1, 10)));
        Assert.NotNull(await checkpoints.GetAsync(h.Integration.Id, Flows.Stock, Ct));
    }

    [Fact]
    public async Task Batching_bound_every_call_carries_at_most_BatchSize_sizes_and_the_number_of_calls_is_the_ceiling()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i, batchSize: 100) });
        SeedCatalogue(h, 1234);
        await MapAsync(h, Enumerable.Range(1, 1234));
        h.Sandbox.State.Centra.MaxStockSizesPerCall = 100; // the emulator refuses a larger call

        var run = await SyncAsync(h);
        Assert.Equal(13, run.ShopCalls); // ceil(1234 / 100)
        Assert.Equal(13, SetStockCalls(h));
        Assert.Equal(1234, run.Sent);
        Assert.Empty(Divergent(h, Enumerable.Range(1, 1234)));
    }

    [Fact]
    public async Task Changing_the_SKU_rule_while_mappings_exist_stops_stock_with_SKU_MAPPING_CHANGED()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 3);
        await MapAsync(h, [1, 2, 3]);
        var changed = h.Integration with { Sku = h.Integration.Sku with { VariantField = "Information5" } };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(changed, Ct);

        var result = (await h.Services.GetRequiredService<StockSyncHandler>().RunAsync(Ct))[h.Integration.Id];
        Assert.Equal(ErrorCodes.SkuMappingChanged, result.ErrorCode);
        Assert.Equal(0, SetStockCalls(h));
        var e = Assert.Single(await h.EventsAsync(), x => x.ErrorCode == ErrorCodes.SkuMappingChanged);
        Assert.Contains("junipeer reimport products --integration " + h.Integration.Id, e.Message, StringComparison.Ordinal);
    }
}
