using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Sandbox;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Stock;

/// <summary>The stock parts of both emulators against the published contracts (Visma inventory OpenAPI, Centra SDL).</summary>
public class StockContractTests
{
    private static readonly int[] MainWarehouse = [1];

    private static async Task<(HttpStatusCode Status, JsonObject Body)> CentraAsync(SandboxKit kit, string query, object variables, string operationName)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "centra-sandbox-token");
        using var response = await client.PostAsJsonAsync(kit.Host.CentraGraphQlUrl, new { query, variables, operationName }, Ct);
        return (response.StatusCode, await ObjectAsync(response));
    }

    [Fact]
    public async Task Visma_inventory_delta_filters_by_availability_timestamp_pages_and_rejects_an_undocumented_parameter()
    {
        await using var kit = await StartAsync();
        var visma = kit.Host.State.Visma;
        visma.UpsertInventory(TenantA,
            new VismaInventorySpec { InventoryNumber = "A1", Attributes = new() { ["SIZE"] = "M" }, Available = new() { ["MAIN"] = 3 } },
            new VismaInventorySpec { InventoryNumber = "A2", Available = new() { ["MAIN"] = 5 } });
        var cut = kit.Clock.GetUtcNow();
        kit.Clock.Advance(TimeSpan.FromMinutes(1));
        visma.SetAvailable(TenantA, "A2", "MAIN", 7);
        using var http = await kit.VismaClientAsync();

        var since = cut.AddSeconds(1).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        using var delta = await http.GetAsync($"v1/inventory?availabilityLastModifiedDateTime={Uri.EscapeDataString(since)}&availabilityLastModifiedDateTimeCondition=%3E%3D&expandWarehouseDetail=true&pageNumber=1&pageSize=10", Ct);
        Assert.Equal(HttpStatusCode.OK, delta.StatusCode);
        var items = await ArrayAsync(delta);
        var item = Assert.Single(items)!;
        Assert.Equal("A2", item["inventoryNumber"]!.GetValue<string>());
        Assert.Equal(7m, D(item["warehouseDetails"]![0]!["available"]));
        Assert.Equal(5000, item["metadata"]!["maxPageSize"]!.GetValue<int>());

        using var all = await http.GetAsync("v1/inventory?pageNumber=2&pageSize=1", Ct);
        Assert.Equal("A2", (await ArrayAsync(all)).Single()!["inventoryNumber"]!.GetValue<string>());

        kit.ExpectContractViolations = true;
        using var bad = await http.GetAsync("v1/inventory?availabilityModifiedSince=2026-01-01", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("availabilityModifiedSince", (await ObjectAsync(bad))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using var half = await http.GetAsync("v1/inventory?availabilityLastModifiedDateTime=2026-01-01", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode); // the Condition must come with it
    }

    [Fact]
    public async Task Centra_setStock_is_validated_against_the_SDL_and_sets_absolute_levels_reporting_unknown_SKUs()
    {
        await using var kit = await StartAsync();
        var centra = kit.Host.State.Centra;
        centra.AddWarehouses(1);
        centra.AddSizes(new CentraSizeSpec { Sku = "S1" }, new CentraSizeSpec { Sku = "S2" });
        const string mutation = """
            mutation SetStock($input: StockSetInput!) {
              setStock(input: $input) { stockChanges { id } userErrors { message path } }
            }
            """;
        // Written as JSON: Centra's field names (SKU) are case-sensitive and the web serializer would camel-case them.
        var variables = JsonNode.Parse("""
            {"input": {"warehouse": {"id": 1}, "description": "test", "stockQuantityType": "PHYSICAL", "productSizes": [
              {"productSize": {"SKU": "S1"}, "quantity": 4},
              {"productSize": {"SKU": "NOPE"}, "quantity": 1},
              {"productSize": {"SKU": "S2"}, "quantity": 0}]}}
            """)!;
        var (status, body) = await CentraAsync(kit, mutation, variables, "SetStock");
        Assert.Equal(HttpStatusCode.OK, status);
        var payload = body["data"]!["setStock"]!;
        Assert.Single(payload["stockChanges"]!.AsArray());
        var error = Assert.Single(payload["userErrors"]!.AsArray())!;
        Assert.Equal("1", error["path"]![2]!.GetValue<string>());
        Assert.Equal(4, centra.Sizes().Single(s => s.Sku == "S1").Stock[1]);
        Assert.Contains("StockChange:write", body["extensions"]!["permissionsUsed"]!.AsArray().Select(p => p!.GetValue<string>()));

        // Not in the SDL: a quantity type we do not know, an unknown input field.
        kit.ExpectContractViolations = true;
        var (badStatus, badBody) = await CentraAsync(kit, mutation,
            new { input = new { warehouse = new { id = 1 }, description = "x", stockQuantityType = "AVAILABLE", productSizes = Array.Empty<object>() } }, "SetStock");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("AVAILABLE", badBody["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(kit.Host.State.Contract.All, v => v.Vendor == "centra" && v.Message.Contains("SetStock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_control_plane_seeds_articles_and_sizes_moves_stock_and_returns_the_ground_truth()
    {
        await using var kit = await StartAsync();
        using var seed = await kit.Http.PostAsync($"_sandbox/visma/{TenantA}/inventory",
            Json(new { items = new[] { new { inventoryNumber = "A1", attributes = new Dictionary<string, string> { ["SIZE"] = "M" }, available = new Dictionary<string, decimal> { ["MAIN"] = 3 } } } }), Ct);
        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
        using var move = await kit.Http.PutAsync($"_sandbox/visma/{TenantA}/inventory/A1/available", Json(new { warehouse = "MAIN", available = 9 }), Ct);
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        using var truth = await kit.Http.GetAsync($"_sandbox/visma/{TenantA}/inventory", Ct);
        Assert.Equal(9m, D((await ArrayAsync(truth))[0]!["available"]!["MAIN"]));
        using var missing = await kit.Http.PutAsync($"_sandbox/visma/{TenantA}/inventory/NOPE/available", Json(new { warehouse = "MAIN", available = 1 }), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var bad = await kit.Http.PostAsync($"_sandbox/visma/{TenantA}/inventory", Json(new { nope = 1 }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        using var catalogue = await kit.Http.PostAsync("_sandbox/centra/catalogue",
            Json(new { warehouses = MainWarehouse, sizes = new[] { new { sku = "A1M", stock = new Dictionary<string, int> { ["1"] = 2 } } } }), Ct);
        Assert.Equal(HttpStatusCode.OK, catalogue.StatusCode);
        using var sizes = await kit.Http.GetAsync("_sandbox/centra/sizes", Ct);
        var size = (await ArrayAsync(sizes)).Single()!;
        Assert.Equal("A1M", size["sku"]!.GetValue<string>());
        Assert.Equal(2, size["stock"]!["1"]!.GetValue<int>());
    }
}
