using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Stock;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Cli;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Junipeer.Tests.Stock.StockTestKit;

namespace Junipeer.Tests.Products;

/// <summary>SKU mismatch report, the mapping guard and the re-import, against Azurite and both emulators.</summary>
public class SkuCatalogueTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Articles 1..6 match Centra; article 7's SKU is missing in Centra; Centra has an extra SKU, a duplicate of
    /// article 2's SKU, and a size without SKU; articles 8 and 9 build the same SKU; article 10 lacks its size attribute.
    /// </summary>
    private static void SeedMismatches(EngineHarness h)
    {
        SeedCatalogue(h, 7, centra: false);
        h.Sandbox.State.Centra.AddSizes([.. Enumerable.Range(1, 6).Select(i => new CentraSizeSpec { Sku = Sku(i) })]);
        h.Sandbox.State.Centra.AddSizes(new CentraSizeSpec { Sku = "ONLYINCENTRA1" }, new CentraSizeSpec { Sku = Sku(2) }, new CentraSizeSpec { Sku = "" });
        h.Sandbox.State.Visma.UpsertInventory(h.Tenant,
            new VismaInventorySpec { InventoryNumber = "DUP", Attributes = new() { ["VARIANT"] = "A", ["SIZE"] = "B" }, Available = new() { ["MAIN"] = 1 } },
            new VismaInventorySpec { InventoryNumber = "DU", Attributes = new() { ["VARIANT"] = "PA", ["SIZE"] = "B" }, Available = new() { ["MAIN"] = 1 } },
            new VismaInventorySpec { InventoryNumber = "NOSIZE", Attributes = new() { ["VARIANT"] = "A" }, Available = new() { ["MAIN"] = 1 } });
    }

    [Fact]
    public async Task Diagnosis_lists_one_side_only_duplicates_and_pattern_breaks_and_says_which_side_to_fix()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedMismatches(h);

        var d = await h.Services.GetRequiredService<SkuCatalogue>().DiagnoseAsync(h.Integration, null, Ct);
        Assert.Equal(10, d.Articles);
        Assert.Equal(9, d.ShopSizes);
        Assert.Equal(5, d.Matched); // 1, 3..6 (2 is duplicated in Centra)
        var only = Assert.Single(d.Findings, f => f.Kind == SkuFindingKinds.OnlyInErp);
        Assert.Equal((Sku(7), "ART00007", "Centra"), (only.Sku, only.Article, only.FixIn));
        var extra = Assert.Single(d.Findings, f => f.Kind == SkuFindingKinds.OnlyInShop);
        Assert.Equal(("ONLYINCENTRA1", "Centra"), (extra.Sku, extra.FixIn));
        Assert.Equal(2, d.Count(SkuFindingKinds.DuplicateInShop));
        Assert.All(d.Findings.Where(f => f.Kind == SkuFindingKinds.DuplicateInShop), f => Assert.Equal(Sku(2), f.Sku));
        Assert.Equal(["DU", "DUP"], d.Findings.Where(f => f.Kind == SkuFindingKinds.DuplicateInErp).Select(f => f.Article).Order());
        Assert.All(d.Findings.Where(f => f.Kind == SkuFindingKinds.DuplicateInErp), f => Assert.Equal("Visma.net", f.FixIn));
        Assert.Equal("NOSIZE", Assert.Single(d.Findings, f => f.Kind == SkuFindingKinds.PatternBreakInErp).Article);
        Assert.Equal("Centra", Assert.Single(d.Findings, f => f.Kind == SkuFindingKinds.PatternBreakInShop).FixIn);
    }

    [Fact]
    public async Task Changing_the_rule_is_refused_until_the_reimport_rebuilds_the_mappings_and_stock_then_flows_for_every_mapped_article()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 8);
        var catalogue = h.Services.GetRequiredService<SkuCatalogue>();
        var first = await catalogue.ReimportAsync(h.Integration, null, Ct);
        Assert.Equal(8, first.Mapped);
        Assert.Empty(first.Diagnosis.Findings);
        await SyncAsync(h);
        Assert.Empty(Divergent(h, Enumerable.Range(1, 8)));

        // The rule changes: Centra's sizes now carry product + size only (variant dropped from the SKU).
        var changed = h.Integration with { Sku = h.Integration.Sku with { VariantField = null } };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(changed, Ct);
        var refused = await Assert.ThrowsAsync<JunipeerException>(() => h.Services.GetRequiredService<StockSyncHandler>().SyncAsync(changed, Ct));
        Assert.Equal(ErrorCodes.SkuMappingChanged, refused.Code);

        h.Sandbox.State.Centra.AddSizes([.. Enumerable.Range(1, 8).Select(i => new CentraSizeSpec { Sku = Number(i) + (i % 3 == 0 ? "S" : "M") })]);
        var report = await catalogue.ReimportAsync(changed, null, Ct);
        Assert.Equal(8, report.Mapped);
        Assert.Equal(8, report.RemovedOld);
        Assert.False(report.Resumed);
        Assert.Equal(8, report.Diagnosis.Count(SkuFindingKinds.OnlyInShop)); // the old SKUs: to be removed in Centra
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(1), "MAIN", 11);

        var run = await h.Services.GetRequiredService<StockSyncHandler>().SyncAsync(changed, Ct);
        Assert.Null(run.ErrorCode);
        Assert.Equal(8, run.Sent); // the reset checkpoint sends every mapped article once
        var sizes = h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku);
        Assert.Equal(11, sizes[Number(1) + "M"].Stock[CentraMain]);
        Assert.Equal(3, sizes[Number(3) + "S"].Stock[CentraMain]);
    }

    [Fact]
    public async Task A_reimport_that_stopped_after_staging_resumes_without_staging_again()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 5);
        var fingerprint = SkuComposer.Fingerprint(h.Integration.Sku);
        var bulk = h.Services.GetRequiredService<IMappingBulkStore>();
        var mappings = h.Services.GetRequiredService<IMappingStore>();

        // The state a crash right after step 1 leaves: a staged set (here only 2 of 5) and state "staged".
        await bulk.SetManyAsync(h.Integration.Id, SkuCatalogue.StagingKindPrefix + fingerprint, [KeyValuePair.Create(Number(1), Sku(1)), KeyValuePair.Create(Number(2), Sku(2))], Ct);
        await mappings.SetAsync(h.Integration.Id, SkuCatalogue.ReimportStateKind, fingerprint, "staged", Ct);

        var report = await h.Services.GetRequiredService<SkuCatalogue>().ReimportAsync(h.Integration, null, Ct);
        Assert.True(report.Resumed);
        Assert.Equal(2, report.Mapped); // the staged set was switched in, not rebuilt
        Assert.Equal(2, (await bulk.ListAsync(h.Integration.Id, MappingKinds.Sku, Ct)).Count);
        Assert.Empty(await bulk.ListAsync(h.Integration.Id, SkuCatalogue.StagingKindPrefix + fingerprint, Ct));
        Assert.Null(await mappings.GetAsync(h.Integration.Id, SkuCatalogue.ReimportStateKind, fingerprint, Ct));

        // The next full run builds all five.
        Assert.Equal(5, (await h.Services.GetRequiredService<SkuCatalogue>().ReimportAsync(h.Integration, null, Ct)).Mapped);
    }

    [Fact]
    public async Task CLI_diagnose_and_reimport_print_json_reports_with_exit_codes()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedMismatches(h);
        var dir = Directory.CreateTempSubdirectory("junipeer-sku-").FullName;
        var env = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer__Storage__Prefix"] = h.Prefix,
            ["Junipeer__TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Junipeer__Development__AllowLoopbackHttp"] = "true",
            ["OrderSweepSchedule"] = "0 */5 * * * *",
            ["StockSyncSchedule"] = "0 */2 * * * *",
            ["CustomerSyncSchedule"] = "0 0 0 1 1 *",
            [$"Secrets__{DemoScenario.VismaSecretNameFor(h.Integration.Id)}"] = DemoScenario.ClientSecret,
            [$"Secrets__{DemoScenario.CentraTokenSecretNameFor(h.Integration.Id)}"] = h.Sandbox.Options.CentraToken,
            [$"Secrets__{DemoScenario.WebhookSecretNameFor(h.Integration.Id)}"] = h.WebhookSecret,
        };

        await using (var diagnose = CliProcess.Shell($"{CliProcess.CliCommand} diagnose sku --integration {h.Integration.Id} --json", dir, env))
        {
            Assert.Equal(1, await diagnose.WaitAsync(TimeSpan.FromSeconds(90))); // findings: attention needed
            var json = JsonDocument.Parse(diagnose.StdOut).RootElement;
            Assert.Equal(5, json.GetProperty("matched").GetInt32());
            Assert.Equal(1, json.GetProperty("findings").GetProperty("onlyInErp").GetInt32());
            Assert.Equal(2, json.GetProperty("findings").GetProperty("duplicateInShop").GetInt32());
            Assert.Contains(json.GetProperty("items").EnumerateArray(), i => i.GetProperty("kind").GetString() == "onlyInShop" && i.GetProperty("fixIn").GetString() == "Centra");
        }

        await using (var reimport = CliProcess.Shell($"{CliProcess.CliCommand} reimport products --integration {h.Integration.Id} --json", dir, env))
        {
            Assert.Equal(1, await reimport.WaitAsync(TimeSpan.FromSeconds(90)));
            var json = JsonDocument.Parse(reimport.StdOut).RootElement;
            Assert.Equal(5, json.GetProperty("mapped").GetInt32());
            Assert.Contains("staging mappings", reimport.StdErr, StringComparison.Ordinal); // progress on stderr
        }

        Assert.Equal(5, (await h.Services.GetRequiredService<IMappingBulkStore>().ListAsync(h.Integration.Id, MappingKinds.Sku, Ct)).Count);

        await using (var unknown = CliProcess.Shell($"{CliProcess.CliCommand} diagnose sku --integration nope-nope --json", dir, env))
        {
            Assert.Equal(2, await unknown.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("INTEGRATION_NOT_FOUND", JsonDocument.Parse(unknown.StdOut).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }
}
