using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Sync;
using Junipeer.Functions.Products;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Products;

/// <summary>Products / articles in the configured direction, against Azurite and both emulators over loopback HTTP (strict contracts).</summary>
public class ProductSyncTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>SKU = PRODUCTNR attribute + Information5 (variant) + Information4 (size): serves both directions.</summary>
    internal static readonly SkuSettings Rule = new() { ProductNrField = "PRODUCTNR", VariantField = "Information5", SizeField = "Information4" };

    internal static Func<Integration, Integration> Direction(ProductDirection direction) => i => i with
    {
        Sku = Rule,
        Products = new ProductFlowSettings { Direction = direction },
    };

    internal static VismaInventorySpec Tee(string number, string product, string variant, string size, string description = "Linen tee") => new()
    {
        InventoryNumber = number,
        Description = description,
        Attributes = new Dictionary<string, string> { ["PRODUCTNR"] = product, ["Information5"] = variant, ["Information4"] = size },
    };

    private static Task<ProductRunResult> SyncAsync(EngineHarness h) =>
        h.Services.GetRequiredService<ProductSyncHandler>().SyncAsync(h.Integration, Ct);

    private static Task<ProductRunResult> SyncAsync(EngineHarness h, Integration integration) =>
        h.Services.GetRequiredService<ProductSyncHandler>().SyncAsync(integration, Ct);

    private static Task<string?> MappingAsync(EngineHarness h, string article) =>
        h.Services.GetRequiredService<IMappingStore>().GetAsync(h.Integration.Id, MappingKinds.Sku, article, Ct);

    private static int CentraWrites(EngineHarness h)
    {
        var c = h.Sandbox.State.Centra;
        return c.ProductsCreatedByApi + c.VariantsCreatedByApi + c.SizesCreatedByApi + c.ProductsUpdatedByApi + c.ProductEchoes;
    }

    [Fact]
    public async Task VismaToCentra_creates_products_variants_and_sizes_updates_the_name_and_sends_nothing_twice()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.VismaToCentra) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        visma.UpsertInventory(h.Tenant, Tee("A-1", "LT1", "BLK", "S"), Tee("A-2", "LT1", "BLK", "M"), Tee("A-3", "LT1", "WHT", "S"));

        // The timer function runs the sync.
        await h.Function<ProductSyncFunction>().Run(new TimerInfo(), Ct);
        var product = Assert.Single(centra.Products());
        Assert.Equal(("LT1", "Linen tee"), (product.ProductNumber, product.Name));
        Assert.Equal(["BLK", "WHT"], product.Variants.Select(v => v.VariantNumber).Order(StringComparer.Ordinal));
        Assert.Equal(["LT1BLKM", "LT1BLKS", "LT1WHTS"], product.Variants.SelectMany(v => v.Sizes).Select(s => s.Sku).Order(StringComparer.Ordinal));
        Assert.Equal((1, 2, 3), (centra.ProductsCreatedByApi, centra.VariantsCreatedByApi, centra.SizesCreatedByApi));
        Assert.Equal("LT1BLKM", await MappingAsync(h, "A-2")); // the mapping the stock flow uses

        // Nothing changed: nothing is written (the overlap re-reads the articles; their fingerprints match).
        var writes = CentraWrites(h);
        var quiet = await SyncAsync(h);
        Assert.Equal((0, 0, 3), (quiet.Synced, quiet.CreatedInShop, quiet.Unchanged));
        Assert.Equal(writes, CentraWrites(h));

        // A user renames an article and adds a size in Visma.net: one rename, one size.
        visma.EditInventory(h.Tenant, "A-1", description: "Linen tee, relaxed");
        visma.UpsertInventory(h.Tenant, Tee("A-4", "LT1", "WHT", "M", "Linen tee, relaxed"));
        var changed = await SyncAsync(h);
        Assert.Equal((1, 1, 2), (changed.UpdatedInShop, changed.CreatedInShop, changed.Synced));
        Assert.Equal("Linen tee, relaxed", Assert.Single(centra.Products()).Name);
        Assert.Equal(4, centra.Products().Single().Variants.Sum(v => v.Sizes.Count));
        Assert.Equal(0, centra.ProductEchoes);
        Assert.Empty(changed.Failed);
        ContractAssert.NoVismaViolations(h.Sandbox.State);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task CentraToVisma_creates_articles_with_attributes_and_updates_them_by_PUT_with_If_Match()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.CentraToVisma) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        var product = centra.AddProduct("LT2", "Wool scarf");
        var variant = centra.AddVariant(product, "GRY", "Grey");
        centra.AddProductSize(variant, "OS");
        centra.AddProductSize(variant, "XL");

        await h.Function<ProductSyncFunction>().Run(new TimerInfo(), Ct);
        var articles = visma.InventoryItems(h.Tenant);
        Assert.Equal(["LT2GRYOS", "LT2GRYXL"], articles.Select(a => a.InventoryNumber));
        var os = articles[0];
        Assert.Equal("Wool scarf", os.Description);
        Assert.Equal(("LT2", "GRY", "OS"), (os.Attributes["PRODUCTNR"], os.Attributes["Information5"], os.Attributes["Information4"]));
        Assert.Equal(2, visma.InventoryCreatedByApi);
        Assert.Equal("LT2GRYXL", await MappingAsync(h, "LT2GRYXL"));

        var quiet = await SyncAsync(h);
        Assert.Equal((0, 0, 0), (quiet.Synced, quiet.CreatedInErp, quiet.UpdatedInErp));
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma PUT "));

        // Renamed in Centra: both articles get the new description by a guarded PUT.
        centra.EditProduct(product, "Merino scarf");
        var renamed = await SyncAsync(h);
        Assert.Equal((2, 2, 0), (renamed.Synced, renamed.UpdatedInErp, renamed.CreatedInErp));
        Assert.All(visma.InventoryItems(h.Tenant), a => Assert.Equal("Merino scarf", a.Description));
        Assert.Equal(2, h.Sandbox.State.Stats.CountPrefix("visma PUT "));
        Assert.Equal(0, visma.InventoryEchoes);
        Assert.Equal(0, visma.InventoryVersionConflicts);
        ContractAssert.NoVismaViolations(h.Sandbox.State);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task A_412_on_an_article_update_re_reads_and_re_applies_keeping_the_ERP_users_edit()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.CentraToVisma) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        var product = centra.AddProduct("LT3", "Cap");
        centra.AddProductSize(centra.AddVariant(product, "RED", "Red"), "OS");
        await SyncAsync(h);

        // Centra renames the product; while the engine's PUT is on its way, a user saves another attribute in Visma.net.
        centra.EditProduct(product, "Baseball cap");
        var fired = false;
        visma.OnInventoryUpdate = (tenant, n) =>
        {
            if (!fired)
            {
                fired = true;
                visma.EditInventory(tenant, n, attributes: new Dictionary<string, string> { ["SEASON"] = "SS27" });
            }
        };

        var run = await SyncAsync(h);
        Assert.True(fired);
        Assert.Equal((1, 1), (run.VersionConflicts, run.UpdatedInErp));
        Assert.Equal(1, visma.InventoryVersionConflicts); // the stale If-Match was refused with 412
        var article = Assert.Single(visma.InventoryItems(h.Tenant));
        Assert.Equal("Baseball cap", article.Description); // Centra's change, re-applied on the new version
        Assert.Equal("SS27", article.Attributes["SEASON"]); // the user's change survived
        Assert.Equal(2, h.Sandbox.State.Stats.CountPrefix("visma PUT ")); // the refused PUT and its re-application
        ContractAssert.NoVismaViolations(h.Sandbox.State);
    }

    [Fact]
    public async Task A_lost_answer_to_an_article_create_adopts_the_article_and_never_posts_it_twice()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.CentraToVisma) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        centra.AddProductSize(centra.AddVariant(centra.AddProduct("LT4", "Sock"), "BLU", "Blue"), "42");

        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/inventory";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1;
        var lost = await SyncAsync(h);
        Assert.Single(lost.Failed); // the answer was lost: the item waits, its checkpoint stays
        Assert.Equal(1, visma.InventoryCreatedByApi); // ... but the article was created
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0;

        var run = await SyncAsync(h);
        Assert.Empty(run.Failed);
        Assert.Equal(0, run.CreatedInErp);
        Assert.Equal(1, visma.InventoryCreatedByApi); // looked up by its number (the SKU), adopted, not created again
        Assert.Equal(1, h.Sandbox.State.Stats.CountPrefix("visma POST /v1/inventory"));
        Assert.Equal("LT4BLU42", Assert.Single(visma.InventoryItems(h.Tenant)).InventoryNumber);
        Assert.Equal("LT4BLU42", await MappingAsync(h, "LT4BLU42"));
    }

    [Fact]
    public async Task A_lost_answer_to_a_Centra_create_then_a_storage_wipe_never_makes_a_second_product()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.VismaToCentra) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        visma.UpsertInventory(h.Tenant, Tee("B-1", "LT5", "NAV", "L"));

        h.Sandbox.State.Faults.CentraCommitThenDropRate = 1; // createProduct runs, its answer is lost
        var lost = await SyncAsync(h);
        Assert.Single(lost.Failed);
        Assert.Equal(1, centra.ProductsCreatedByApi);
        h.Sandbox.State.Faults.CentraCommitThenDropRate = 0;

        // The ledger row that knew about the attempt is lost with all storage (the integration is saved again, as an
        // operator restoring it would): the product is found by its number, only the variant and size are created.
        await h.WipeStorageAsync();
        var run = await SyncAsync(h);
        Assert.Empty(run.Failed);
        Assert.Equal((1, 1, 1), (centra.ProductsCreatedByApi, centra.VariantsCreatedByApi, centra.SizesCreatedByApi));
        var product = Assert.Single(centra.Products());
        Assert.Equal("LT5NAVL", Assert.Single(Assert.Single(product.Variants).Sizes).Sku);
        Assert.Equal("LT5NAVL", await MappingAsync(h, "B-1"));

        // The same after the ledger alone is lost: still one of each, and a rename still goes through.
        await h.WipeLedgerAsync();
        visma.EditInventory(h.Tenant, "B-1", description: "Linen tee navy");
        var renamed = await SyncAsync(h);
        Assert.Empty(renamed.Failed);
        Assert.Equal((1, 1, 1), (centra.ProductsCreatedByApi, centra.VariantsCreatedByApi, centra.SizesCreatedByApi));
        Assert.Equal("Linen tee navy", centra.Products().Single().Name);
    }

    [Fact]
    public async Task An_article_whose_answer_was_lost_and_storage_then_wiped_is_not_posted_again()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.CentraToVisma) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        centra.AddProductSize(centra.AddVariant(centra.AddProduct("LT6", "Belt"), "BRN", "Brown"), "90");
        h.Sandbox.State.Faults.VismaCommitThenDropPath = "/v1/inventory";
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 1;
        await SyncAsync(h);
        h.Sandbox.State.Faults.VismaCommitThenDropRate = 0;

        await h.WipeStorageAsync();
        var run = await SyncAsync(h);
        Assert.Empty(run.Failed);
        Assert.Equal(1, visma.InventoryCreatedByApi);
        Assert.Equal(1, h.Sandbox.State.Stats.CountPrefix("visma POST /v1/inventory"));
        Assert.Single(visma.InventoryItems(h.Tenant));
    }

    [Fact]
    public async Task Switching_the_direction_sends_nothing_back_to_the_side_it_came_from()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.VismaToCentra) });
        var visma = h.Sandbox.State.Visma;
        visma.UpsertInventory(h.Tenant, Tee("C-1", "LT7", "BLK", "S"), Tee("C-2", "LT7", "BLK", "M"));
        await SyncAsync(h);
        Assert.Equal(4, CentraWrites(h)); // one product, one variant, two sizes
        var posts = h.Sandbox.State.Stats.CountPrefix("visma POST ");

        // The operator makes Centra the master: the products the engine itself wrote are not sent back to Visma.net.
        var flipped = h.Integration with { Products = new ProductFlowSettings { Direction = ProductDirection.CentraToVisma } };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(flipped, Ct);
        var run = await SyncAsync(h, flipped);
        Assert.Equal((0, 0, 0), (run.Synced, run.CreatedInErp, run.UpdatedInErp));
        Assert.Equal(2, run.Unchanged);
        Assert.Equal(posts, h.Sandbox.State.Stats.CountPrefix("visma POST "));
        Assert.Equal(0, h.Sandbox.State.Stats.CountPrefix("visma PUT "));
        Assert.Equal(0, visma.InventoryEchoes);
    }

    [Fact]
    public async Task Bad_items_fail_with_PRODUCT_SKU_INVALID_or_PRODUCT_DUPLICATE_IN_SHOP_and_the_rest_still_sync()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = Direction(ProductDirection.VismaToCentra) });
        var visma = h.Sandbox.State.Visma;
        var centra = h.Sandbox.State.Centra;
        centra.AddProduct("DUP", "First");
        centra.AddProduct("DUP", "Second");
        visma.UpsertInventory(h.Tenant,
            Tee("D-1", "LT8", "BLK", "S"),
            Tee("D-2", "DUP", "BLK", "S"),
            new VismaInventorySpec { InventoryNumber = "D-3", Description = "No size", Attributes = new Dictionary<string, string> { ["PRODUCTNR"] = "LT9", ["Information5"] = "BLK" } });

        var run = await SyncAsync(h);
        Assert.Equal(1, run.Synced);
        Assert.Contains(("visma:D-2", ErrorCodes.ProductDuplicateInShop), run.Failed);
        Assert.Contains(("visma:D-3", ErrorCodes.ProductSkuInvalid), run.Failed);
        var events = await h.EventsAsync();
        Assert.Contains(events, e => e.ErrorCode == ErrorCodes.ProductDuplicateInShop && e.Message.Contains("DUP", StringComparison.Ordinal) && e.Fix!.Contains("unique", StringComparison.Ordinal));
        Assert.Contains(events, e => e.ErrorCode == ErrorCodes.ProductSkuInvalid && e.Message.Contains("Information4", StringComparison.Ordinal));
        Assert.Equal(2, centra.Products().Count(p => p.ProductNumber == "DUP")); // nothing created for it
        Assert.Null(await MappingAsync(h, "D-3"));

        // The checkpoint stayed at the failed items: once fixed in Visma.net the next run syncs D-3.
        visma.EditInventory(h.Tenant, "D-3", attributes: new Dictionary<string, string> { ["Information4"] = "M" });
        var next = await SyncAsync(h);
        Assert.Equal(1, next.Synced);
        Assert.Equal("LT9BLKM", await MappingAsync(h, "D-3"));

        // A changed SKU rule stops the sync until the mappings are rebuilt.
        var changedRule = h.Integration with { Sku = Rule with { SizeField = "Information3" } };
        var refused = await h.Services.GetRequiredService<ProductSyncHandler>().RunAsync(Ct);
        Assert.Null(refused[h.Integration.Id].ErrorCode);
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(changedRule, Ct);
        var stopped = await h.Services.GetRequiredService<ProductSyncHandler>().RunAsync(Ct);
        Assert.Equal(ErrorCodes.SkuMappingChanged, stopped[h.Integration.Id].ErrorCode);
    }

    [Fact]
    public void Settings_refuse_a_direction_the_SKU_rule_cannot_serve()
    {
        var baseline = System.Text.Json.JsonSerializer.Deserialize<Integration>(
            File.ReadAllText(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")), Junipeer.Core.JunipeerJson.Options)!;
        var separator = baseline with { Sku = Rule with { Separator = "-" }, Products = new ProductFlowSettings { Direction = ProductDirection.VismaToCentra } };
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(separator));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, ex.Code);
        Assert.Contains("Sku.Separator", ex.Message, StringComparison.Ordinal);

        var byNumber = baseline with
        {
            Sku = new SkuSettings { ProductNrField = SkuFields.InventoryNumber, VariantField = "Information5" },
            Products = new ProductFlowSettings { Direction = ProductDirection.CentraToVisma },
        };
        Assert.Contains("Sku.ProductNrField", Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(byNumber)).Message, StringComparison.Ordinal);

        var overlap = baseline with { Products = new ProductFlowSettings { Direction = ProductDirection.VismaToCentra, OverlapMinutes = -1 } };
        Assert.Contains("Products.OverlapMinutes", Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(overlap)).Message, StringComparison.Ordinal);

        var unknown = baseline with { Products = new ProductFlowSettings { Direction = (ProductDirection)7 } };
        Assert.Contains("Products.Direction", Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(unknown)).Message, StringComparison.Ordinal);

        // Products have a shadow path (Core/Shadow/ShadowProductSync): allowed in shadow mode.
        IntegrationValidator.EnsureValid(baseline with { Mode = IntegrationMode.Shadow, Sku = Rule, Products = new ProductFlowSettings { Direction = ProductDirection.VismaToCentra } });

        IntegrationValidator.EnsureValid(baseline with { Sku = Rule, Products = new ProductFlowSettings { Direction = ProductDirection.CentraToVisma } });
    }
}
