using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>
/// What preflight reads: number series (GET /v1/numberSequence[/{id}]), warehouses (GET /v1/warehouse),
/// and the modules a company is licensed for. A company seeded with <see cref="VismaCompanySpec.MissingModules"/>
/// answers 403 (IPPException, "No license") on that module's endpoints — how Visma.net words a missing
/// module is not documented; the status and the IPP shape follow its 12027 licence answer.
/// </summary>
public sealed partial class VismaState
{
    /// <summary>The module each ERP resource belongs to (first path segment after the version).</summary>
    public static string ModuleOf(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = segments.Length > 1 ? segments[1].ToLowerInvariant() : "";
        return resource switch
        {
            "customer" => "Customers",
            "inventory" or "warehouse" => "Inventory",
            "shipment" => "Sales",
            _ => "Financials",
        };
    }

    internal bool HasModule(string tenantId, string path)
    {
        lock (_gate)
        {
            return !_companies.TryGetValue(tenantId, out var c) || !c.Spec.MissingModules.Contains(ModuleOf(path), StringComparer.OrdinalIgnoreCase);
        }
    }

    private static JsonObject NumberingJson(Company c, NumberSeries s) => new()
    {
        ["numberingId"] = s.Name,
        ["description"] = s.Name,
        ["manualNumbering"] = s.Name == "CUSTOMER" && c.Spec.CustomerNumberingManual,
        ["newNumberSymbol"] = "<NEW>",
        ["sequence"] = new JsonArray(new JsonObject
        {
            ["numberingId"] = s.Name,
            ["startNbr"] = s.Start,
            ["endNbr"] = s.End,
            ["startDate"] = "2020-01-01T00:00:00",
            ["lastNbr"] = s.Last ?? s.Start,
            ["warnNbr"] = s.End,
            ["nbrStep"] = 1,
            ["nextNumber"] = s.Peek(),
        }),
    };

    private static IEnumerable<NumberSeries> Series(Company c) =>
        c.Spec.CustomerNumberingMissing ? [c.InvoiceSeries, c.PaymentSeries] : [c.CustomerSeries, c.InvoiceSeries, c.PaymentSeries];

    internal ApiResult ListNumberSequences(string tenantId) => WithCompany(tenantId, c =>
        new ApiResult(200, new JsonArray([.. Series(c).Select(s => (JsonNode)NumberingJson(c, s))])));

    internal ApiResult GetNumberSequence(string tenantId, string id) => WithCompany(tenantId, c =>
        Series(c).FirstOrDefault(s => string.Equals(s.Name, id, StringComparison.OrdinalIgnoreCase)) is { } s
            ? new ApiResult(200, NumberingJson(c, s))
            : NotFound($"Numbering '{id}' was not found."));

    internal ApiResult ListWarehouses(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.Warehouses.OrderBy(w => w.Id, StringComparer.Ordinal).Select(w => new JsonObject
        {
            ["warehouseID"] = w.Id,
            ["description"] = w.Description,
            ["active"] = w.Active,
        }), query));

}

/// <summary>A Visma.net warehouse (Warehouses window, IN204000).</summary>
public sealed class WarehouseSpec
{
    public string Id { get; set; } = "";

    public string Description { get; set; } = "";

    public bool Active { get; set; } = true;
}
