using System.Globalization;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Stock;
using Junipeer.Core.Sync;
using Junipeer.Functions.Stock;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Stock;

/// <summary>Seeds a catalogue on both emulators and the SKU mappings between them, and reads the outcome.</summary>
internal static class StockTestKit
{
    public const int CentraMain = 1;
    public const int CentraOutlet = 2;

    public static Integration WithStock(Integration i, int batchSize = 500, bool outlet = false) => i with
    {
        Sku = new SkuSettings { ProductNrField = SkuFields.InventoryNumber, VariantField = "VARIANT", SizeField = "SIZE" },
        Stock = new StockFlowSettings
        {
            Enabled = true,
            BatchSize = batchSize,
            Warehouses = outlet
                ? [new WarehouseMapping { VismaWarehouseId = "MAIN", CentraWarehouseId = CentraMain }, new WarehouseMapping { VismaWarehouseId = "OUTLET", CentraWarehouseId = CentraOutlet }]
                : [new WarehouseMapping { VismaWarehouseId = "MAIN", CentraWarehouseId = CentraMain }],
        },
    };

    public static string Number(int i) => "ART" + i.ToString("D5", CultureInfo.InvariantCulture);

    public static string Sku(int i) => Number(i) + "BLU" + (i % 3 == 0 ? "S" : "M");

    /// <summary>Articles ART00001.. with VARIANT/SIZE attributes; Centra sizes with the composed SKUs (stock 0).</summary>
    public static void SeedCatalogue(EngineHarness h, int count, Func<int, decimal>? available = null, bool outlet = false, bool centra = true)
    {
        var specs = Enumerable.Range(1, count).Select(i => new VismaInventorySpec
        {
            InventoryNumber = Number(i),
            Description = $"Shirt {i}",
            Attributes = new Dictionary<string, string> { ["VARIANT"] = "BLU", ["SIZE"] = i % 3 == 0 ? "S" : "M" },
            Available = outlet
                ? new Dictionary<string, decimal> { ["MAIN"] = available?.Invoke(i) ?? i, ["OUTLET"] = 1 + (i % 4), ["OTHER"] = 99 }
                : new Dictionary<string, decimal> { ["MAIN"] = available?.Invoke(i) ?? i, ["OTHER"] = 99 },
        }).ToArray();
        h.Sandbox.State.Visma.UpsertInventory(h.Tenant, specs);
        h.Sandbox.State.Centra.AddWarehouses(CentraMain, CentraOutlet);
        if (centra)
        {
            h.Sandbox.State.Centra.AddSizes([.. Enumerable.Range(1, count).Select(i => new CentraSizeSpec { Sku = Sku(i), SizeNumber = i % 3 == 0 ? "S" : "M" })]);
        }
    }

    /// <summary>Writes the article → SKU mappings and the SKU rule's fingerprint, as a re-import would.</summary>
    public static async Task MapAsync(EngineHarness h, IEnumerable<int> articles)
    {
        var ct = TestContext.Current.CancellationToken;
        await h.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(h.Integration.Id, MappingKinds.Sku,
            [.. articles.Select(i => KeyValuePair.Create(Number(i), Sku(i)))], ct);
        await h.Services.GetRequiredService<IMappingStore>().SetAsync(h.Integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey,
            SkuComposer.Fingerprint(h.Integration.Sku), ct);
    }

    public static Task RunTimerAsync(EngineHarness h) => h.Function<StockSyncFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);

    public static Task<StockRunResult> SyncAsync(EngineHarness h) =>
        h.Services.GetRequiredService<StockSyncHandler>().SyncAsync(h.Integration, TestContext.Current.CancellationToken);

    public static long SetStockCalls(EngineHarness h) => h.Sandbox.State.Stats.Count("centra POST /graphql SetStock");

    /// <summary>Mapped SKUs whose Centra quantity in the warehouse differs from Visma's available quantity.</summary>
    public static List<string> Divergent(EngineHarness h, IEnumerable<int> mapped, string vismaWarehouse = "MAIN", int centraWarehouse = CentraMain)
    {
        var visma = h.Sandbox.State.Visma.InventoryItems(h.Tenant).ToDictionary(x => x.InventoryNumber);
        var centra = h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku);
        return [.. mapped.Where(i =>
        {
            var want = (int)Math.Max(0, Math.Floor(visma[Number(i)].Available[vismaWarehouse]));
            return !centra.TryGetValue(Sku(i), out var size) || !size.Stock.TryGetValue(centraWarehouse, out var have) || have != want;
        }).Select(Sku)];
    }
}
