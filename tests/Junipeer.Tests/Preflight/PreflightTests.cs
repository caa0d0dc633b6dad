using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Preflight;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Preflight;

/// <summary>Preflight against Sandbox companies seeded with each missing prerequisite: each is found with its code.</summary>
public class PreflightTests(AzuriteFixture azurite)
{
    private static async Task<PreflightReport> RunAsync(AzuriteFixture azurite, Func<VismaCompanySpec, VismaCompanySpec>? company = null, Func<Integration, Integration>? integration = null)
    {
        // The demo sells to Italy unmapped on purpose; these tests start from a fully mapped country list.
        Integration Mapped(Integration i) => SellsTo(i, "SE", "DE", "FR", "NL", "FI", "DK", "NO", "US");
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Company = company,
            Integration = i => integration?.Invoke(Mapped(i)) ?? Mapped(i),
        });
        var report = await h.Services.GetRequiredService<PreflightRunner>().RunAsync(h.Integration, TestContext.Current.CancellationToken);
        Assert.Equal(0, h.Sandbox.State.Contract.Count); // every preflight read is on Visma's published contract
        return report;
    }

    private static Integration SellsTo(Integration i, params string[] countries) => i with { Vat = i.Vat with { SellsTo = countries } };

    private static Integration WithStock(Integration i, params string[] warehouses) => i with
    {
        Stock = i.Stock with { Enabled = true, Warehouses = [.. warehouses.Select((w, n) => new WarehouseMapping { VismaWarehouseId = w, CentraWarehouseId = n + 1 })] },
    };

    private static VismaCompanySpec Warehouses(VismaCompanySpec c, params string[] ids)
    {
        c.Warehouses = [.. ids.Select(id => new WarehouseSpec { Id = id, Description = id })];
        return c;
    }

    [Fact]
    public async Task A_company_set_up_as_the_guide_says_passes()
    {
        var report = await RunAsync(azurite, c => Warehouses(c, "MAIN"), i => WithStock(SellsTo(i, "SE", "DE", "FR", "NL", "FI", "DK", "NO", "US"), "MAIN"));
        Assert.Equal(0, report.Failed);
        Assert.Empty(report.Codes);
        Assert.Contains(report.Checks, c => c.Check.StartsWith("module Inventory", StringComparison.Ordinal) && c.Outcome == PreflightOutcome.Pass);
        Assert.Contains(report.Checks, c => c.Check == "VAT OSS DE" && c.Outcome == PreflightOutcome.Pass);
        Assert.Contains(report.Checks, c => c.Check == "customer number series auto-numbering" && c.Outcome == PreflightOutcome.Pass);
    }

    [Fact]
    public async Task A_missing_module_is_ERP_MODULE_MISSING_naming_the_module()
    {
        var report = await RunAsync(azurite, c => { c.MissingModules = ["Inventory"]; return Warehouses(c, "MAIN"); }, i => WithStock(i, "MAIN"));
        var failure = Assert.Single(report.Checks, c => c.Outcome == PreflightOutcome.Fail);
        Assert.Equal(ErrorCodes.ErpModuleMissing, failure.Code);
        Assert.Contains("Inventory", failure.Detail, StringComparison.Ordinal);
        Assert.NotNull(failure.Fix);
        Assert.Contains(report.Checks, c => c.Check == "stock warehouses" && c.Outcome == PreflightOutcome.CannotCheck);
    }

    [Fact]
    public async Task Manual_or_missing_customer_numbering_is_ERP_CUSTOMER_NUMBERING_MANUAL()
    {
        var manual = await RunAsync(azurite, c => { c.CustomerNumberingManual = true; return c; });
        Assert.Equal([ErrorCodes.ErpCustomerNumberingManual], manual.Codes);
        var missing = await RunAsync(azurite, c => { c.CustomerNumberingMissing = true; return c; });
        Assert.Equal([ErrorCodes.ErpCustomerNumberingManual], missing.Codes);
    }

    [Fact]
    public async Task A_missing_VAT_zone_class_or_category_is_ERP_TAX_SETUP_MISSING()
    {
        var report = await RunAsync(azurite, c =>
        {
            c.VatZones.RemoveAll(z => z.Id == "FR");
            c.CustomerClasses.RemoveAll(x => x.Id == "EXPORT");
            c.VatCategories.RemoveAll(x => x.Id == "RC0");
            return c;
        });
        Assert.Equal([ErrorCodes.ErpTaxSetupMissing], report.Codes);
        Assert.Contains(report.Checks, c => c.Check == "VAT OSS FR" && c.Detail.Contains("VAT zone 'FR'", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Check == "VAT export" && c.Detail.Contains("customer class 'EXPORT'", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Check.StartsWith("VAT EU B2B", StringComparison.Ordinal) && c.Detail.Contains("'RC0'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_EU_country_sold_to_without_an_OSS_mapping_is_OSS_COUNTRY_TAX_MAPPING_MISSING()
    {
        var report = await RunAsync(azurite, integration: i => SellsTo(i, "SE", "DE", "IT"));
        var failure = Assert.Single(report.Checks, c => c.Outcome == PreflightOutcome.Fail);
        Assert.Equal("VAT OSS IT", failure.Check);
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing, failure.Code);
        Assert.Contains("Vat.Countries.IT", failure.Fix, StringComparison.Ordinal);

        var noExport = await RunAsync(azurite, integration: i => SellsTo(i with { Vat = i.Vat with { Export = null } }, "SE", "US"));
        Assert.Contains(noExport.Checks, c => c.Check == "VAT export" && c.Code == ErrorCodes.OssCountryTaxMappingMissing);
    }

    [Fact]
    public async Task Fee_write_off_reason_code_cannot_be_checked_by_the_API_and_says_how_to_check_by_hand()
    {
        var report = await RunAsync(azurite, integration: i => i with { Payouts = i.Payouts with { Enabled = true, FeeWriteOffReasonCode = "PSPFEE" } });
        var check = Assert.Single(report.Checks, c => c.Check == "payout fee write-off reason code");
        Assert.Equal(PreflightOutcome.CannotCheck, check.Outcome);
        Assert.Contains("Reason codes", check.Fix, StringComparison.Ordinal);
        Assert.Equal(1, report.CannotCheck);

        var unset = await RunAsync(azurite, integration: i => i with { Payouts = i.Payouts with { Enabled = true, FeeWriteOffReasonCode = null } });
        Assert.Equal([ErrorCodes.PayoutFeeWriteOffFailed], unset.Codes);
    }

    [Fact]
    public async Task A_missing_or_inactive_warehouse_is_ERP_WAREHOUSE_MISSING()
    {
        var report = await RunAsync(azurite, c =>
        {
            Warehouses(c, "MAIN", "OLD");
            c.Warehouses[1].Active = false;
            return c;
        }, i => WithStock(i, "MAIN", "OLD", "GONE"));
        Assert.Equal([ErrorCodes.ErpWarehouseMissing], report.Codes);
        var failure = Assert.Single(report.Checks, c => c.Outcome == PreflightOutcome.Fail);
        Assert.Contains("'GONE' does not exist", failure.Detail, StringComparison.Ordinal);
        Assert.Contains("'OLD' is inactive", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_credentials_fail_the_first_check_and_skip_the_rest()
    {
        var id = EngineHarness.NewId();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            Settings = new() { [$"Secrets:{Junipeer.Cli.Demo.DemoScenario.VismaSecretNameFor(id)}"] = "wrong" },
        });
        var report = await h.Services.GetRequiredService<PreflightRunner>().RunAsync(h.Integration, TestContext.Current.CancellationToken);
        Assert.Equal([ErrorCodes.ErpAuthFailed], report.Codes);
        Assert.Equal(PreflightOutcome.CannotCheck, report.Checks[^1].Outcome);
    }
}
