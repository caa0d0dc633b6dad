using System.Text.Json;
using Junipeer.Connectors.Http;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Preflight reads (port <see cref="IErpPreflight"/>), all GETs: a one-item page of each module's
/// list endpoint as the probe (403 = module not available), GET /v1/numberSequence/{id},
/// GET /v1/customer/customerClass, GET /v1/vatZone and GET /v1/warehouse (one page of 1000: set-up
/// lists, far smaller).
/// </summary>
public sealed partial class VismaNetErp : IErpPreflight
{
    private const string ReferencePageSize = "1000";

    private static readonly Dictionary<string, string[]> ProbePaths = new(StringComparer.Ordinal)
    {
        [ErpModules.Customers] = ["v1", "customer"],
        [ErpModules.Financials] = ["v1", "customerinvoice"],
        [ErpModules.Inventory] = ["v1", "inventory"],
        [ErpModules.Sales] = ["v1", "shipment"],
    };

    public string ProbeEndpoint(string module) => "GET /" + string.Join('/', ProbePaths[module]);

    public async Task<bool> ProbeModuleAsync(Integration integration, string module, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(integration, VismaOperation.Probe, HttpMethod.Get, ProbePaths[module], [("pageNumber", "1"), ("pageSize", "1")], null, cancellationToken);
            return true;
        }
        catch (VismaNetApiException ex) when (ex.StatusCode == 403)
        {
            return false;
        }
    }

    public async Task<ErpNumbering?> GetNumberingAsync(Integration integration, string numberingId, CancellationToken cancellationToken)
    {
        try
        {
            var r = await SendAsync(integration, VismaOperation.GetNumbering, HttpMethod.Get, ["v1", "numberSequence", numberingId], [], null, cancellationToken);
            using var doc = JsonDocument.Parse(r.Body);
            var root = doc.RootElement;
            var next = root.TryGetProperty("sequence", out var seq) && seq.ValueKind == JsonValueKind.Array && seq.GetArrayLength() > 0
                ? Str(seq[0], "nextNumber") : null;
            return new ErpNumbering(Str(root, "numberingId") ?? numberingId,
                root.TryGetProperty("manualNumbering", out var m) && m.ValueKind == JsonValueKind.True, next);
        }
        catch (VismaNetApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ErpCustomerClass>> ListCustomerClassesAsync(Integration integration, CancellationToken cancellationToken) =>
        (await ReadArrayAsync(integration, VismaOperation.ListCustomerClasses, ["v1", "customer", "customerClass"], [], cancellationToken))
            .Select(e => new ErpCustomerClass(Str(e, "id") ?? "", Str(e, "taxZoneId"))).Where(c => c.Id.Length > 0).ToList();

    public async Task<IReadOnlyList<string>> ListVatZonesAsync(Integration integration, CancellationToken cancellationToken) =>
        (await ReadArrayAsync(integration, VismaOperation.ListVatZones, ["v1", "vatZone"], [("pageSize", ReferencePageSize)], cancellationToken))
            .Select(e => Str(e, "id")).OfType<string>().ToList();

    public async Task<IReadOnlyList<ErpWarehouse>> ListWarehousesAsync(Integration integration, CancellationToken cancellationToken) =>
        (await ReadArrayAsync(integration, VismaOperation.ListWarehouses, ["v1", "warehouse"], [("pageSize", ReferencePageSize)], cancellationToken))
            .Select(e => new ErpWarehouse(Str(e, "warehouseID") ?? "", !e.TryGetProperty("active", out var a) || a.ValueKind != JsonValueKind.False))
            .Where(w => w.Id.Length > 0).ToList();

    private async Task<List<JsonElement>> ReadArrayAsync(Integration integration, VismaOperation operation, string[] path, (string, string)[] query, CancellationToken cancellationToken)
    {
        var r = await SendAsync(integration, operation, HttpMethod.Get, path, query, null, cancellationToken);
        using var doc = JsonDocument.Parse(r.Body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new VismaNetApiException(Junipeer.Core.Errors.ErrorCodes.ErpRequestRejected,
                $"Visma.net answered {VismaNetErrors.Describe(operation)} with something other than a list.", FailureKind.Malformed, r.StatusCode);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
