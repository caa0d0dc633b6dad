using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>Reference data: customer classes, VAT zones, VAT categories and VATs (taxes).</summary>
public sealed partial class VismaState
{
    // ---------------------------------------------------------------- reference data

    internal ApiResult ListCustomerClasses(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.CustomerClasses.OrderBy(x => x.Id, StringComparer.Ordinal).Select(cc => new JsonObject
        {
            ["id"] = cc.Id,
            ["description"] = cc.Description,
            ["taxZoneId"] = cc.TaxZoneId,
            ["requiredTaxzoneId"] = cc.RequiredTaxzoneId,
            ["paymentMethodId"] = cc.PaymentMethodId,
            ["invoiceOrdersSeparately"] = cc.InvoiceOrdersSeparately,
            ["attributes"] = new JsonArray(),
        }), query));

    internal ApiResult ListVatZones(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.VatZones.OrderBy(x => x.Id, StringComparer.Ordinal).Select(z => ZoneJson(c, z)), query));

    /// <summary>
    /// GET /v1/vatCategory is not paged: the published operation declares no pageNumber/pageSize
    /// and VatCategoryDto carries no metadata, so every category comes back in one array.
    /// </summary>
    internal ApiResult ListVatCategories(string tenantId) => WithCompany(tenantId, c =>
        new ApiResult(200, new JsonArray([.. c.Spec.VatCategories.OrderBy(x => x.Id, StringComparer.Ordinal).Select(cat => (JsonNode)CategoryJson(c, cat))])));

    internal ApiResult GetVatCategory(string tenantId, string id) => WithCompany(tenantId, c =>
        c.Categories.TryGetValue(id, out var cat) ? new ApiResult(200, CategoryJson(c, cat)) : NotFound($"VAT category '{id}' was not found."));

    internal ApiResult ListTaxes(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
        Page(c.Spec.Taxes.OrderBy(x => x.Id, StringComparer.Ordinal).Select(t => new JsonObject
        {
            ["vatId"] = t.Id,
            ["description"] = t.Description,
            ["type"] = "Vat",
            ["reverseVat"] = false,
            ["schedules"] = new JsonArray([.. t.Rates.OrderBy(r => r.EffectiveDate).Select(r => (JsonNode)new JsonObject
            {
                ["startDate"] = Wire.IsoDate(r.EffectiveDate),
                ["vatRate"] = r.Rate,
            })]),
            ["zones"] = new JsonArray([.. c.Spec.VatZones.Where(z => z.TaxIds.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).Select(z => (JsonNode)JsonValue.Create(z.Id))]),
            ["categories"] = new JsonArray([.. c.Spec.VatCategories.Where(z => z.TaxIds.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).Select(z => (JsonNode)JsonValue.Create(z.Id))]),
        }), query));

    private static JsonObject ZoneJson(Company c, VatZoneSpec z)
    {
        var cat = z.DefaultVatCategory is not null && c.Categories.TryGetValue(z.DefaultVatCategory, out var dc) ? dc : null;
        return new JsonObject
        {
            ["id"] = z.Id,
            ["description"] = z.Description,
            ["defaultVatCategory"] = z.DefaultVatCategory,
            ["defaultTaxCategory"] = cat is null ? null : new JsonObject { ["number"] = cat.Id, ["description"] = cat.Description },
            ["errorInfo"] = null,
        };
    }

    private static JsonObject CategoryJson(Company c, VatCategorySpec cat) => new()
    {
        ["vatCategoryId"] = cat.Id,
        ["description"] = cat.Description,
        ["active"] = cat.Active,
        ["excludeListedTaxes"] = false,
        ["lastModifiedDateTime"] = "2020-01-01T00:00:00",
        ["vatCategoryLines"] = new JsonArray([.. cat.TaxIds.Where(c.Taxes.ContainsKey).Select(tid => c.Taxes[tid]).Select(t => (JsonNode)new JsonObject
        {
            ["vatId"] = t.Id,
            ["description"] = t.Description,
            ["type"] = "Vat",
            ["calculateOn"] = "ItemAmount",

            // VatRateLineDto: startDate is the date-time from which the rate is effective. Served
            // newest first so a client that picks by list order instead of by date is caught.
            ["vatRates"] = new JsonArray([.. t.Rates.OrderByDescending(r => r.EffectiveDate).Select(r => (JsonNode)new JsonObject
            {
                ["startDate"] = Wire.IsoDate(r.EffectiveDate),
                ["vatRate"] = r.Rate,
            })]),
        })]),
    };
}
