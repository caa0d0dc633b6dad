using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Vat;

namespace Junipeer.Core.Preflight;

public enum PreflightOutcome
{
    Pass,
    Fail,
    CannotCheck,
}

/// <summary>One line of the preflight table: what was checked, the outcome, the code and the fix of a failure.</summary>
public sealed record PreflightCheck(string Check, PreflightOutcome Outcome, string? Code, string Detail, string? Fix);

/// <summary>Every check of one run.</summary>
public sealed record PreflightReport(string IntegrationId, IReadOnlyList<PreflightCheck> Checks)
{
    public int Passed => Checks.Count(c => c.Outcome == PreflightOutcome.Pass);
    public int Failed => Checks.Count(c => c.Outcome == PreflightOutcome.Fail);
    public int CannotCheck => Checks.Count(c => c.Outcome == PreflightOutcome.CannotCheck);

    /// <summary>The distinct codes of the failures, in order of appearance.</summary>
    public IReadOnlyList<string> Codes => Checks.Where(c => c.Outcome == PreflightOutcome.Fail && c.Code is not null).Select(c => c.Code!).Distinct().ToList();
}

/// <summary>
/// Checks, against the live ERP and read-only, each prerequisite the flows of an integration need
/// (the seed guide's onboarding list), so an operator learns about them before the first sync fails:
/// module access (a read on each endpoint family the enabled flows use), auto-numbering of the
/// customer number series, customer class + VAT zone + VAT categories of every VAT mapping
/// (domestic, EU B2B, export and each OSS country) and an OSS mapping for each EU country the shop
/// sells to, the fee write-off reason code where payouts are on (the API cannot list reason codes:
/// cannot-check, with how to check by hand) and the warehouses stock maps. Used by
/// <c>junipeer preflight</c>, the demo and the console.
/// </summary>
public sealed class PreflightRunner(IErpPreflight erp, IErpResolver erps)
{
    /// <summary>
    /// Numbering id of the customer number series. Visma.net numbers customers through the segmented key
    /// CUSTOMER; that its numbering id is CUSTOMER by default is an assumption (VERIFY on a live company).
    /// </summary>
    public const string CustomerNumberingId = "CUSTOMER";

    public async Task<PreflightReport> RunAsync(Integration integration, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        var modules = ModulesFor(integration);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var check = $"module {module} ({erp.ProbeEndpoint(module)})";
            var result = await Guard(check, async () => await erp.ProbeModuleAsync(integration, module, cancellationToken)
                ? Pass(check, "readable")
                : Fail(check, ErrorCodes.ErpModuleMissing, $"Visma.net refused {erp.ProbeEndpoint(module)}: module {module} is not available to this company or user.",
                    $"Activate module {module} for the company (or its subscription) and give the integration user its role."));
            checks.Add(result);
            if (result.Outcome != PreflightOutcome.Pass)
                missing.Add(module);
            if (result.Outcome == PreflightOutcome.Fail && result.Code != ErrorCodes.ErpModuleMissing)
            {
                // The connection itself fails (credentials, not connected): nothing else can be read.
                checks.Add(new PreflightCheck("remaining checks", PreflightOutcome.CannotCheck, null,
                    "Skipped: the ERP could not be read (see the failure above).", null));
                return new PreflightReport(integration.Id, checks);
            }
        }

        if (integration.Orders.Enabled)
        {
            if (missing.Contains(ErpModules.Financials) || missing.Contains(ErpModules.Customers))
            {
                checks.Add(new PreflightCheck("customer number series, VAT set-up", PreflightOutcome.CannotCheck, null,
                    "Skipped until the Customers and Financials modules are readable.", null));
            }
            else
            {
                if (integration.Orders.CustomerStrategy == CustomerStrategy.PerBuyer)
                    checks.Add(await Guard("customer number series auto-numbering", () => NumberingAsync(integration, cancellationToken)));
                checks.AddRange(await VatChecksAsync(integration, cancellationToken));
            }
        }

        if (integration.Payouts.Enabled)
            checks.Add(FeeWriteOff(integration.Payouts));

        if (integration.Stock.Enabled)
        {
            checks.Add(missing.Contains(ErpModules.Inventory)
                ? new PreflightCheck("stock warehouses", PreflightOutcome.CannotCheck, null, "Skipped until the Inventory module is readable.", null)
                : await Guard("stock warehouses", () => WarehousesAsync(integration, cancellationToken)));
        }

        if (integration.Products.Direction == ProductDirection.CentraToVisma)
            checks.AddRange(await ArticleDefaultsAsync(integration, cancellationToken));

        return new PreflightReport(integration.Id, checks);
    }

    /// <summary>The modules the enabled flows read or write.</summary>
    public static IReadOnlyList<string> ModulesFor(Integration integration)
    {
        var modules = new List<string>();
        if (integration.Orders.Enabled)
            modules.AddRange([ErpModules.Customers, ErpModules.Financials]);
        if (integration.Payouts.Enabled)
            modules.AddRange([ErpModules.Customers, ErpModules.Financials]);
        if (integration.Stock.Enabled)
            modules.Add(ErpModules.Inventory);
        if (integration.Shipments.Enabled)
            modules.Add(ErpModules.Sales);
        if (modules.Count == 0)
            modules.Add(ErpModules.Financials); // at least prove the connection
        return modules.Distinct().ToList();
    }

    private async Task<PreflightCheck> NumberingAsync(Integration integration, CancellationToken ct)
    {
        const string check = "customer number series auto-numbering";
        var n = await erp.GetNumberingAsync(integration, CustomerNumberingId, ct);
        if (n is null)
            return Fail(check, ErrorCodes.ErpCustomerNumberingManual, $"Visma.net has no number series '{CustomerNumberingId}' for customers.",
                "Set up the customer number series (Number series, CS201010) with automatic numbering.");
        if (n.Manual)
            return Fail(check, ErrorCodes.ErpCustomerNumberingManual, $"The customer number series '{n.Id}' is set to manual numbering; new buyers' customers would be refused.",
                $"Clear Manual numbering on series '{n.Id}' (Number series, CS201010).");
        return n.NextNumber is null
            ? Fail(check, ErrorCodes.CustomerNumberSeriesExhausted, $"The customer number series '{n.Id}' has no next number (exhausted).",
                $"Extend the end number of series '{n.Id}'.")
            : Pass(check, $"series '{n.Id}' numbers automatically (next {n.NextNumber})");
    }

    private async Task<List<PreflightCheck>> VatChecksAsync(Integration integration, CancellationToken ct)
    {
        var checks = new List<PreflightCheck>();
        IReadOnlyList<ErpCustomerClass> classes;
        IReadOnlyList<string> zones;
        IReadOnlyList<ErpVatCategory> categories;
        try
        {
            classes = await erp.ListCustomerClassesAsync(integration, ct);
            zones = await erp.ListVatZonesAsync(integration, ct);
            categories = await erps.For(integration).ReferenceData.GetVatCategoriesAsync(integration, ct);
        }
        catch (JunipeerException failure)
        {
            checks.Add(Fail("VAT set-up", failure.Code, failure.Message, ErrorCodes.All.FirstOrDefault(e => e.Code == failure.Code)?.Fix));
            return checks;
        }

        var vat = integration.Vat;
        checks.Add(Mapping("VAT domestic", vat.Domestic, vat.Domestic.CustomerClassId, classes, zones, categories));

        var sells = vat.SellsTo.Select(c => c.ToUpperInvariant()).Distinct().ToList();
        var euDestinations = sells.Where(c => c != vat.SellerCountry && EuVat.MemberStates.Contains(c)).ToList();
        var exportDestinations = sells.Where(c => c != vat.SellerCountry && !EuVat.MemberStates.Contains(c)).ToList();

        if (vat.EuB2BReverseCharge is { } rc)
            checks.Add(Mapping("VAT EU B2B (reverse charge)", rc, rc.CustomerClassId, classes, zones, categories));
        else if (euDestinations.Count > 0)
            checks.Add(Fail("VAT EU B2B (reverse charge)", ErrorCodes.OssCountryTaxMappingMissing,
                "No Vat.EuB2BReverseCharge mapping: orders from EU businesses with a VAT number would fail.",
                "Add Vat.EuB2BReverseCharge (VAT zone, customer class, 0% category)."));

        if (vat.Export is { } ex)
            checks.Add(Mapping("VAT export", ex, ex.CustomerClassId, classes, zones, categories));
        else if (exportDestinations.Count > 0)
            checks.Add(Fail("VAT export", ErrorCodes.OssCountryTaxMappingMissing,
                $"No Vat.Export mapping, but the shop sells to {string.Join(", ", exportDestinations)}.",
                "Add Vat.Export (VAT zone, customer class, 0% category)."));

        foreach (var (country, mapping) in vat.Countries.OrderBy(c => c.Key, StringComparer.Ordinal))
            checks.Add(Mapping($"VAT OSS {country}", mapping, mapping.CustomerClassId ?? vat.EuB2CCustomerClassId, classes, zones, categories));

        if (vat.EuB2CDestinationVat)
        {
            if (sells.Count == 0)
            {
                checks.Add(new PreflightCheck("OSS countries mapped", PreflightOutcome.CannotCheck, null,
                    "Vat.SellsTo is empty, so preflight cannot tell which EU countries need an OSS mapping.",
                    "List the countries the shop sells to in Vat.SellsTo."));
            }
            else
            {
                foreach (var country in euDestinations.Where(c => !vat.Countries.ContainsKey(c)).Order(StringComparer.Ordinal))
                {
                    checks.Add(Fail($"VAT OSS {country}", ErrorCodes.OssCountryTaxMappingMissing,
                        $"The shop sells to {country} (Vat.SellsTo) but Vat.Countries has no OSS mapping for it: consumer orders to {country} would fail.",
                        $"Add Vat.Countries.{country} with its VAT zone and a VAT category per rate (create them in Visma.net first)."));
                }
            }
        }

        return checks;
    }

    private static PreflightCheck Mapping(string check, VatMapping m, string? customerClass, IReadOnlyList<ErpCustomerClass> classes,
        IReadOnlyList<string> zones, IReadOnlyList<ErpVatCategory> categories)
    {
        var problems = new List<string>();
        if (customerClass is not null && !classes.Any(c => string.Equals(c.Id, customerClass, StringComparison.OrdinalIgnoreCase)))
            problems.Add($"customer class '{customerClass}' does not exist");
        if (!zones.Contains(m.TaxZoneId, StringComparer.OrdinalIgnoreCase))
            problems.Add($"VAT zone '{m.TaxZoneId}' does not exist");
        foreach (var (rate, category) in m.VatCategoryByRate.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var found = categories.FirstOrDefault(c => string.Equals(c.Id, category, StringComparison.OrdinalIgnoreCase));
            if (found is null)
                problems.Add($"VAT category '{category}' (rate {rate}) does not exist");
        }

        return problems.Count == 0
            ? Pass(check, $"zone {m.TaxZoneId}, class {customerClass ?? "-"}, categories {string.Join(", ", m.VatCategoryByRate.Values)}")
            : Fail(check, ErrorCodes.ErpTaxSetupMissing, string.Join("; ", problems) + ".",
                "Create the missing entries in Visma.net (Customer classes, VAT zones, VAT categories) or correct the mapping.");
    }

    private static PreflightCheck FeeWriteOff(PayoutFlowSettings payouts)
    {
        const string check = "payout fee write-off reason code";
        if (payouts.FeeBooking == FeeBooking.Charge)
        {
            return string.IsNullOrWhiteSpace(payouts.FeeChargeEntryType)
                ? Fail(check, ErrorCodes.PayoutFeeWriteOffFailed, "Payouts.FeeBooking is Charge but Payouts.FeeChargeEntryType is not set.", "Set Payouts.FeeChargeEntryType.")
                : new PreflightCheck(check, PreflightOutcome.CannotCheck, null,
                    $"Visma.net's API has no way to list cash entry types, so '{payouts.FeeChargeEntryType}' cannot be verified.",
                    "Check by hand: Cash management → Entry types has this type.");
        }

        return string.IsNullOrWhiteSpace(payouts.FeeWriteOffReasonCode)
            ? Fail(check, ErrorCodes.PayoutFeeWriteOffFailed, "Payouts are on but Payouts.FeeWriteOffReasonCode is not set: PSP fees cannot be written off.",
                "Set Payouts.FeeWriteOffReasonCode to a Visma reason code with usage Balance write-off.")
            : new PreflightCheck(check, PreflightOutcome.CannotCheck, null,
                $"Visma.net's API has no endpoint that lists reason codes, so '{payouts.FeeWriteOffReasonCode}' cannot be verified here.",
                $"Check by hand: in Visma.net open Reason codes and confirm '{payouts.FeeWriteOffReasonCode}' exists with usage Balance write-off, and that the customer classes have Enable write-offs with a write-off limit.");
    }

    private async Task<PreflightCheck> WarehousesAsync(Integration integration, CancellationToken ct)
    {
        const string check = "stock warehouses";
        var warehouses = await erp.ListWarehousesAsync(integration, ct);
        var mapped = integration.Stock.Warehouses.Select(w => w.VismaWarehouseId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (mapped.Count == 0)
            return Fail(check, ErrorCodes.ErpWarehouseMissing, "Stock is on but Stock.Warehouses maps no warehouse.", "Map at least one Visma.net warehouse in Stock.Warehouses.");
        var problems = mapped.Select(id => warehouses.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.OrdinalIgnoreCase)) switch
        {
            null => $"warehouse '{id}' does not exist",
            { Active: false } => $"warehouse '{id}' is inactive",
            _ => null,
        }).OfType<string>().ToList();
        return problems.Count == 0
            ? Pass(check, $"{string.Join(", ", mapped)} exist and are active")
            : Fail(check, ErrorCodes.ErpWarehouseMissing, string.Join("; ", problems) + ".", "Create or activate the warehouse in Visma.net, or correct Stock.Warehouses.");
    }

    /// <summary>
    /// CentraToVisma: the values new articles are created with. The VAT code is a VAT category id, read with the same
    /// GET /v1/vatCategory the orders flow uses. Item class, posting class and sales unit cannot be checked yet: Visma
    /// documents GET /v1/inventory/itemclass/{itemClassNumber} and GET /v1/inventory/itemPostClass, but the trimmed
    /// contract in contracts/visma does not carry them (the connector does not call them), and it documents no read of units.
    /// </summary>
    private async Task<List<PreflightCheck>> ArticleDefaultsAsync(Integration integration, CancellationToken ct)
    {
        var products = integration.Products;
        var checks = new List<PreflightCheck>();
        if (products.VatCode is { } vatCode)
        {
            checks.Add(await Guard("new article VAT code", async () =>
            {
                var categories = await erps.For(integration).ReferenceData.GetVatCategoriesAsync(integration, ct);
                return categories.Any(c => string.Equals(c.Id, vatCode, StringComparison.OrdinalIgnoreCase))
                    ? Pass("new article VAT code", $"VAT category '{vatCode}' exists")
                    : Fail("new article VAT code", ErrorCodes.ErpTaxSetupMissing, $"Products.VatCode '{vatCode}' is not a VAT category of the company; articles created from Centra would be refused.",
                        "Create the VAT category in Visma.net or correct Products.VatCode.");
            }));
        }

        var notRead = new List<string>();
        if (products.ItemClass is not null)
            notRead.Add($"item class '{products.ItemClass}'");
        if (products.PostingClass is not null)
            notRead.Add($"posting class '{products.PostingClass}'");
        if (products.SalesUnit is not null)
            notRead.Add($"sales unit '{products.SalesUnit}'");
        if (notRead.Count > 0)
        {
            checks.Add(new PreflightCheck("new article item class, posting class, sales unit", PreflightOutcome.CannotCheck, null,
                $"Not read by preflight: {string.Join(", ", notRead)} (the item class and posting class reads are not in the connector's contract yet; Visma documents no read of units).",
                "Check in Visma.net that they exist (item classes, posting classes, units of measure); the first article created from Centra fails with Visma's message otherwise."));
        }

        return checks;
    }

    private static async Task<PreflightCheck> Guard(string check, Func<Task<PreflightCheck>> run)
    {
        try
        {
            return await run();
        }
        catch (JunipeerException ex)
        {
            return Fail(check, ex.Code, ex.Message, ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix);
        }
    }

    private static PreflightCheck Pass(string check, string detail) => new(check, PreflightOutcome.Pass, null, detail, null);

    private static PreflightCheck Fail(string check, string code, string detail, string? fix) => new(check, PreflightOutcome.Fail, code, detail, fix);
}
