using System.Globalization;
using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Cli.Demo;

/// <summary>
/// The demo's catalogue: 40 articles in Visma.net (SKU = inventoryNumber + Information5 + Information4, as in
/// the product guide), 38 of them as sizes in Centra plus 2 sizes Centra alone has, so the SKU report has
/// something to say; two warehouses mapped; stock movements during the run.
/// </summary>
public static class DemoCatalogue
{
    public const int Articles = 40;
    public const int CentraMain = 1;
    public const int CentraOutlet = 2;

    /// <summary>Articles that exist only in Visma.net (their stock is skipped with STOCK_SKU_UNMAPPED).</summary>
    private static readonly int[] OnlyInVisma = [39, 40];

    private static readonly Dictionary<string, int> Warehouses = new(StringComparer.Ordinal) { ["MAIN"] = CentraMain, ["OUTLET"] = CentraOutlet };

    public static int ChangedInVisma { get; private set; }

    public static Integration WithStock(Integration i) => i with
    {
        Sku = new SkuSettings { ProductNrField = SkuFields.InventoryNumber, VariantField = "Information5", SizeField = "Information4" },
        Stock = new StockFlowSettings
        {
            Enabled = true,
            BatchSize = 25,
            Warehouses = [.. Warehouses.Select(w => new WarehouseMapping { VismaWarehouseId = w.Key, CentraWarehouseId = w.Value })],
        },
    };

    public static string Number(int i) => "NT" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static string Variant(int i) => i % 2 == 0 ? "BLK" : "WHT";

    private static string Size(int i) => (i % 4) switch { 0 => "S", 1 => "M", 2 => "L", _ => "XL" };

    public static string Sku(int i) => Number(i) + Variant(i) + Size(i);

    public static void Seed(SandboxHost sandbox)
    {
        ChangedInVisma = 0;
        sandbox.State.Visma.UpsertInventory(DemoScenario.CompanyTenantId, [.. Enumerable.Range(1, Articles).Select(i => new VismaInventorySpec
        {
            InventoryNumber = Number(i),
            Description = $"Nordic Threads tee {i}",
            Attributes = new Dictionary<string, string> { ["Information5"] = Variant(i), ["Information4"] = Size(i) },
            Available = new Dictionary<string, decimal> { ["MAIN"] = 10 + i, ["OUTLET"] = i % 5 },
        })]);
        ChangedInVisma += Articles * Warehouses.Count;
        sandbox.State.Centra.AddWarehouses(CentraMain, CentraOutlet);
        // Centra products (product → variant → size; full SKU = product + variant + size number) for all but the
        // articles only Visma.net has: the product sync creates those.
        var centra = sandbox.State.Centra;
        foreach (var i in Enumerable.Range(1, Articles).Where(i => !OnlyInVisma.Contains(i)))
        {
            centra.AddProductSize(centra.AddVariant(centra.AddProduct(Number(i), $"Nordic Threads tee {i}"), Variant(i), Variant(i)), Size(i));
        }

        sandbox.State.Centra.AddSizes(new CentraSizeSpec { Sku = "LEGACY-0001" }, new CentraSizeSpec { Sku = "LEGACY-0002" });
    }

    /// <summary>
    /// Products / articles synced by the product sync, counted in the Centra emulator: sizes created and products
    /// renamed through the API (each one article brought over).
    /// </summary>
    public static int ProductsSynced(SandboxHost sandbox) => sandbox.State.Centra.SizesCreatedByApi + sandbox.State.Centra.ProductsUpdatedByApi;

    /// <summary>Stock movements in Visma.net: deliveries and sales on a third of the articles.</summary>
    public static void Move(SandboxHost sandbox)
    {
        foreach (var i in Enumerable.Range(1, Articles).Where(i => i % 3 == 0))
        {
            sandbox.State.Visma.SetAvailable(DemoScenario.CompanyTenantId, Number(i), "MAIN", i % 2 == 0 ? 0 : 100 + i);
            ChangedInVisma++;
        }
    }

    /// <summary>Mapped SKUs (in both systems) whose Centra quantity differs from Visma.net's, per mapped warehouse.</summary>
    public static int Divergent(SandboxHost sandbox)
    {
        var visma = sandbox.State.Visma.InventoryItems(DemoScenario.CompanyTenantId).ToDictionary(x => x.InventoryNumber);
        var centra = sandbox.State.Centra.Sizes().GroupBy(s => s.Sku).ToDictionary(g => g.Key, g => g.First());
        var divergent = 0;
        foreach (var i in Enumerable.Range(1, Articles).Where(i => !OnlyInVisma.Contains(i)))
        {
            foreach (var (vw, cw) in Warehouses)
            {
                var want = (int)Math.Max(0, Math.Floor(visma[Number(i)].Available[vw]));
                if (!centra[Sku(i)].Stock.TryGetValue(cw, out var have) || have != want)
                {
                    divergent++;
                }
            }
        }

        return divergent;
    }
}
