using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>Port: ERP reference data the flows map against (VAT categories and their rates).</summary>
public interface IErpReferenceData
{
    Task<IReadOnlyList<ErpVatCategory>> GetVatCategoriesAsync(Integration integration, CancellationToken cancellationToken);
}
