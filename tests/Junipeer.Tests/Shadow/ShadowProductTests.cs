using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Shadow;
using Junipeer.Core.Sync;
using Junipeer.Functions.Products;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Products;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>
/// The product sync in shadow mode, both directions, against Azurite and both emulators over loopback HTTP: what would
/// be created or updated (with the changed fields) per article / size is recorded, no Centra product mutation and no
/// article POST/PUT reaches the emulators, no mapping is written; then the live run writes what shadow said.
/// </summary>
public class ShadowProductTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The products flow's own settings (SKU rule, direction), in shadow mode.</summary>
    private static Func<Integration, Integration> Shadowed(ProductDirection direction) => i => ProductSyncTests.Direction(direction)(i) with { Mode = IntegrationMode.Shadow };

    private static VismaInventorySpec Tee(string number, string product, string variant, string size, string description = "Linen tee") =>
        ProductSyncTests.Tee(number, product, variant, size, description);

    private static int CentraProductWrites(EngineHarness h)
    {
        var c = h.Sandbox.State.Centra;
        return c.ProductsCreatedByApi + c.VariantsCreatedByApi + c.SizesCreatedByApi + c.ProductsUpdatedByApi;
    }

    private static Task RunTimerAsync(EngineHarness h) => h.Function<ProductSyncFunction>().Run(new TimerInfo(), Ct);

    private static async Task<IReadOnlyList<ShadowRecord>> RecordsAsync(EngineHarness h) =>
        await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, "products", null, Ct);

    private static Task GoLiveAsync(EngineHarness h) =>
        h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(h.Integration with { Mode = IntegrationMode.Live, CutOverDate = DateTimeOffset.UtcNow }, Ct);

    [Fact]
    public async Task VismaToCentra_in_shadow_records_products_variants_and_sizes_to_create_and_renames_writes_nothing_then_live_writes_them()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Shadowed(ProductDirection.VismaToCentra) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        centra.AddProductSize(centra.AddVariant(centra.AddProduct("LT1", "Old tee"), "BLK", "BLK"), "S");
        visma.UpsertInventory(h.Tenant, Tee("A-1", "LT1", "BLK", "S"), Tee("A-2", "LT1", "BLK", "M"), Tee("A-3", "LT9", "RED", "S", "Wool sweater"), Tee("A-4", "LT9", "RED", "M", "Wool sweater"));
        visma.UpsertInventory(h.Tenant, new VismaInventorySpec { InventoryNumber = "A-5", Description = "No SKU parts", Attributes = new Dictionary<string, string>() });
        var vismaWrites = ShadowFlowsTests.VismaWrites(h);

        await RunTimerAsync(h);
        await RunTimerAsync(h); // a second shadow run: still nothing written

        Assert.Equal(0, CentraProductWrites(h));
        Assert.Equal(0, ShadowFlowsTests.CentraMutations(h));
        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - vismaWrites);
        Assert.Equal(["LT1"], centra.Products().Select(p => p.ProductNumber));
        Assert.Null(await h.Services.GetRequiredService<IMappingStore>().GetAsync(h.Integration.Id, MappingKinds.Sku, "A-1", Ct));

        var records = await RecordsAsync(h);
        ShadowRecord Of(string article) => Assert.Single(records, r => r.EntityKey == "visma:" + article);
        Assert.All(records.Where(r => r.Outcome == ShadowOutcome.WouldBook), r => Assert.Equal(("shop", "product"), (r.Target, r.DocumentType)));
        var rename = Assert.Single(records, r => r.Changes.Any(c => c.Field == "name" && c.From is not null));
        Assert.Equal(("update", new ShadowFieldChange("name", "Old tee", "Linen tee")), (rename.Action, Assert.Single(rename.Changes)));
        Assert.Equal("visma:A-1", rename.EntityKey); // A-1's size exists: only the product's name differs
        var newSize = Of("A-2");
        Assert.Equal(("create", "LT1BLKM"), (newSize.Action, newSize.Reference));
        Assert.Equal([new ShadowFieldChange("sizeNumber", null, "M"), new ShadowFieldChange("sku", null, "LT1BLKM")], newSize.Changes);
        var newProduct = Of("A-3");
        Assert.Equal("create", newProduct.Action);
        Assert.Contains(new ShadowFieldChange("productNumber", null, "LT9"), newProduct.Changes);
        Assert.Contains(new ShadowFieldChange("name", null, "Wool sweater"), newProduct.Changes);
        Assert.Contains(new ShadowFieldChange("variantNumber", null, "RED"), newProduct.Changes);
        Assert.Contains(new ShadowFieldChange("sku", null, "LT9REDS"), newProduct.Changes);
        // A-4 joins the product and variant A-3 would create: only its size is new.
        Assert.Equal([new ShadowFieldChange("sizeNumber", null, "M"), new ShadowFieldChange("sku", null, "LT9REDM")], Of("A-4").Changes);
        var invalid = Of("A-5");
        Assert.Equal((ShadowOutcome.Failed, ErrorCodes.ProductSkuInvalid), (invalid.Outcome, invalid.ErrorCode));
        Assert.NotNull(invalid.Fix);

        var flow = Assert.Single((await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct)).Flows);
        Assert.Equal(("products", 3, 1, 1), (flow.Flow, flow.Creates, flow.Updates, flow.Failed));

        // Live: the run writes what shadow said.
        await GoLiveAsync(h);
        await RunTimerAsync(h);
        Assert.Equal("Linen tee", centra.Products().Single(p => p.ProductNumber == "LT1").Name);
        Assert.Equal(["LT9REDM", "LT9REDS"], centra.Products().Single(p => p.ProductNumber == "LT9").Variants.SelectMany(v => v.Sizes).Select(s => s.Sku).Order(StringComparer.Ordinal));
        Assert.Equal((1, 1, 3, 1), (centra.ProductsCreatedByApi, centra.VariantsCreatedByApi, centra.SizesCreatedByApi, centra.ProductsUpdatedByApi));
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task CentraToVisma_in_shadow_records_articles_to_create_and_changed_fields_old_to_new_writes_nothing_then_live_writes_them()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Shadowed(ProductDirection.CentraToVisma) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        visma.UpsertInventory(h.Tenant, Tee("LT2GRYOS", "LT2", "GRY", "OS", "Scarf"));
        var variant = centra.AddVariant(centra.AddProduct("LT2", "Wool scarf"), "GRY", "Grey");
        centra.AddProductSize(variant, "OS");
        centra.AddProductSize(variant, "XL");
        var vismaWrites = ShadowFlowsTests.VismaWrites(h);

        await RunTimerAsync(h);

        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - vismaWrites);
        Assert.Equal(0, visma.InventoryCreatedByApi);
        Assert.Equal(0, ShadowFlowsTests.CentraMutations(h));
        Assert.Equal("Scarf", Assert.Single(visma.InventoryItems(h.Tenant)).Description);

        var records = await RecordsAsync(h);
        var update = Assert.Single(records, r => r.EntityKey == "centra:LT2/GRY/OS");
        Assert.Equal((ShadowOutcome.WouldBook, "update", "erp", "article"), (update.Outcome, update.Action, update.Target, update.DocumentType));
        Assert.Equal([new ShadowFieldChange("description", "Scarf", "Wool scarf")], update.Changes);
        var create = Assert.Single(records, r => r.EntityKey == "centra:LT2/GRY/XL");
        Assert.Equal(("create", "LT2GRYXL"), (create.Action, create.Reference));
        Assert.Contains(new ShadowFieldChange("number", null, "LT2GRYXL"), create.Changes);
        Assert.Contains(new ShadowFieldChange("description", null, "Wool scarf"), create.Changes);
        Assert.Contains(new ShadowFieldChange("attribute:Information4", null, "XL"), create.Changes);

        await GoLiveAsync(h);
        await RunTimerAsync(h);
        Assert.Equal(1, visma.InventoryCreatedByApi);
        Assert.All(visma.InventoryItems(h.Tenant), a => Assert.Equal("Wool scarf", a.Description));
        Assert.Empty(h.Sandbox.State.Contract.All);
    }
}
