using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>A customer class as preflight needs it.</summary>
public sealed record ErpCustomerClass(string Id, string? TaxZoneId);

/// <summary>A number series: whether the ERP numbers it itself.</summary>
public sealed record ErpNumbering(string Id, bool Manual, string? NextNumber);

/// <summary>A warehouse and whether it is active.</summary>
public sealed record ErpWarehouse(string Id, bool Active);

/// <summary>ERP modules preflight probes (names as the seed guide and Visma.net use them).</summary>
public static class ErpModules
{
    public const string Customers = "Customers";
    public const string Financials = "Financials";
    public const string Inventory = "Inventory";
    public const string Sales = "Sales";
}

/// <summary>Port: read-only ERP set-up checks for preflight (no write is ever made).</summary>
public interface IErpPreflight
{
    /// <summary>The endpoint probed for a module (shown in the report), e.g. "GET /v1/customer".</summary>
    string ProbeEndpoint(string module);

    /// <summary>True when a read on the module's endpoint is allowed; false when the ERP refuses it (not licensed / no role). Other failures throw.</summary>
    Task<bool> ProbeModuleAsync(Integration integration, string module, CancellationToken cancellationToken);

    /// <summary>The number series with this id, or null when the ERP has none.</summary>
    Task<ErpNumbering?> GetNumberingAsync(Integration integration, string numberingId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ErpCustomerClass>> ListCustomerClassesAsync(Integration integration, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListVatZonesAsync(Integration integration, CancellationToken cancellationToken);

    Task<IReadOnlyList<ErpWarehouse>> ListWarehousesAsync(Integration integration, CancellationToken cancellationToken);
}
