using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Preflight;
using Junipeer.Core.Products;
using Junipeer.Functions.Products;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Sandbox;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Products;

/// <summary>
/// CentraToVisma: a new Visma.net article carries the configured item class, posting class, VAT code and sales unit
/// (InventoryUpdateDto field names from contracts/visma), checked by the emulator's strict contract.
/// </summary>
public class ArticleDefaultsTests(AzuriteFixture azurite)
{
    private static readonly SkuSettings Rule = new() { ProductNrField = "PRODUCTNR", VariantField = "Information5", SizeField = "Information4" };

    private static Func<Integration, Integration> CentraToVisma(string? vatCode = "SE25") => i => i with
    {
        Sku = Rule,
        Products = new ProductFlowSettings
        {
            Direction = ProductDirection.CentraToVisma, ItemClass = "APPAREL", PostingClass = "STD", VatCode = vatCode, SalesUnit = "PCS",
        },
    };

    [Fact]
    public async Task A_new_article_arrives_with_item_class_posting_class_VAT_code_and_sales_unit()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = CentraToVisma() });
        var centra = h.Sandbox.State.Centra;
        var product = centra.AddProduct("LT9", "Cotton socks");
        centra.AddProductSize(centra.AddVariant(product, "BLK", "Black"), "OS");

        await h.Function<ProductSyncFunction>().Run(new TimerInfo(), Ct);

        var article = Assert.Single(h.Sandbox.State.Visma.InventoryItems(h.Tenant));
        Assert.Equal("LT9BLKOS", article.InventoryNumber);
        Assert.Equal(("APPAREL", "STD", "SE25", "PCS"), (article.ItemClass, article.PostingClass, article.VatCode, article.SalesUnit));
        ContractAssert.NoVismaViolations(h.Sandbox.State);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task Left_out_the_fields_are_not_sent_and_the_item_class_defaults_apply()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Sku = Rule, Products = new ProductFlowSettings { Direction = ProductDirection.CentraToVisma } },
        });
        var centra = h.Sandbox.State.Centra;
        centra.AddProductSize(centra.AddVariant(centra.AddProduct("LT8", "Cap"), "RED", "Red"), "OS");
        await h.Services.GetRequiredService<ProductSyncHandler>().SyncAsync(h.Integration, Ct);
        var article = Assert.Single(h.Sandbox.State.Visma.InventoryItems(h.Tenant));
        Assert.Equal((null, null, null, null), (article.ItemClass, article.PostingClass, article.VatCode, article.SalesUnit));
    }

    [Fact]
    public void Values_that_cannot_be_Visma_ids_are_refused_on_save_with_the_setting_named()
    {
        var i = CentraToVisma()(EngineHarnessIntegration()) with { };
        var bad = i with { Products = i.Products with { VatCode = "SE25-LONG", SalesUnit = " PCS", PostingClass = "" } };
        var problems = IntegrationValidator.Problems(bad, IntegrationRules.Default with { AllowLoopbackHttp = true });
        Assert.Contains(problems, p => p.StartsWith("Products.VatCode 'SE25-LONG' is not a VAT category id", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Products.SalesUnit ' PCS' is not a unit id", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Products.PostingClass '' is not a posting class id", StringComparison.Ordinal));
        Assert.DoesNotContain(IntegrationValidator.Problems(i, IntegrationRules.Default with { AllowLoopbackHttp = true }), p => p.StartsWith("Products.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preflight_finds_a_VAT_code_the_company_does_not_have_and_says_what_it_cannot_read()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = CentraToVisma("XX99") });
        var report = await h.Services.GetRequiredService<PreflightRunner>().RunAsync(h.Integration, Ct);
        var vat = Assert.Single(report.Checks, c => c.Check == "new article VAT code");
        Assert.Equal((PreflightOutcome.Fail, ErrorCodes.ErpTaxSetupMissing), (vat.Outcome, vat.Code));
        Assert.Contains("XX99", vat.Detail, StringComparison.Ordinal);
        var rest = Assert.Single(report.Checks, c => c.Check == "new article item class, posting class, sales unit");
        Assert.Equal(PreflightOutcome.CannotCheck, rest.Outcome);
        Assert.Contains("APPAREL", rest.Detail, StringComparison.Ordinal);

        await using var ok = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = CentraToVisma() });
        var passed = await ok.Services.GetRequiredService<PreflightRunner>().RunAsync(ok.Integration, Ct);
        Assert.Equal(PreflightOutcome.Pass, Assert.Single(passed.Checks, c => c.Check == "new article VAT code").Outcome);
    }

    [Fact]
    public async Task The_emulator_accepts_the_published_field_names_and_rejects_misspellings_and_unknown_VAT_codes()
    {
        await using var kit = await StartAsync();
        using var http = await kit.VismaClientAsync();
        using var categories = await http.GetAsync("v1/vatCategory", Ct);
        var vat = (await ArrayAsync(categories))[0]!["vatCategoryId"]!.GetValue<string>();

        static JsonObject Body(string number, string vatField, string vat, string unitField = "salesUnit") => new()
        {
            ["inventoryNumber"] = new JsonObject { ["value"] = number },
            ["description"] = new JsonObject { ["value"] = "Socks" },
            ["itemClass"] = new JsonObject { ["value"] = "APPAREL" },
            ["postingClass"] = new JsonObject { ["value"] = "STD" },
            [vatField] = new JsonObject { ["value"] = vat },
            [unitField] = new JsonObject { ["value"] = "PCS" },
        };

        using var created = await http.PostAsJsonAsync("v1/inventory", Body("S-1", "vatCode", vat), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var read = await http.GetAsync("v1/inventory/S-1", Ct);
        var item = await ObjectAsync(read);
        Assert.Equal(vat, item["vatCode"]!["id"]!.GetValue<string>());
        Assert.Equal("APPAREL", item["itemClass"]!["id"]!.GetValue<string>());
        Assert.Equal("STD", item["postingClass"]!["id"]!.GetValue<string>());
        Assert.Equal("PCS", item["salesUnit"]!.GetValue<string>());

        kit.ExpectContractViolations = true;
        using var misspelled = await http.PostAsJsonAsync("v1/inventory", Body("S-2", "vatcode", vat), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, misspelled.StatusCode);
        Assert.Contains("vatcode", (await ObjectAsync(misspelled))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using var plural = await http.PostAsJsonAsync("v1/inventory", Body("S-3", "vatCode", vat, "salesUnits"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, plural.StatusCode);
        Assert.Contains("salesUnits", (await ObjectAsync(plural))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(kit.Host.State.Contract.Count >= 2);

        using var unknown = await http.PostAsJsonAsync("v1/inventory", Body("S-4", "vatCode", "XX99"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("XX99", (await ObjectAsync(unknown))["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["S-1"], kit.Host.State.Visma.InventoryItems(TenantA).Select(x => x.InventoryNumber));
    }

    private static Integration EngineHarnessIntegration() =>
        Junipeer.Cli.Demo.DemoScenario.Integration(new Uri("https://api.finance.visma.net/API/"), new Uri("https://connect.visma.com/connect/token"),
            new Uri("https://example.centra.com/graphql"), "article-defaults");
}
