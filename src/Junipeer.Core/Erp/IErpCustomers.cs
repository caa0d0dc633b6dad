using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>Port: ERP customers. Creates are never retried after a timeout or 5xx (ERP_UNAVAILABLE).</summary>
public interface IErpCustomers
{
    Task<ErpCustomerRef?> FindCustomerByEmailAsync(Integration integration, string email, CancellationToken cancellationToken);

    /// <summary>
    /// Customers carrying the deterministic buyer key (<see cref="ErpCustomerDraft.LookupKey"/>): the
    /// configured customer attribute, else <c>corporateId</c>. Normally zero or one.
    /// </summary>
    Task<IReadOnlyList<ErpCustomerRef>> FindCustomersByKeyAsync(Integration integration, string key, CancellationToken cancellationToken);

    /// <summary>Creates a customer with the ERP's auto-numbering and returns its number.</summary>
    Task<string> CreateCustomerAsync(Integration integration, ErpCustomerDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the customer's fields from the draft. With <paramref name="ifMatch"/> null the current
    /// version is read first; a version that no longer matches fails with <c>ERP_VERSION_CONFLICT</c>.
    /// </summary>
    Task UpdateCustomerAsync(Integration integration, string customerNumber, ErpCustomerDraft draft, string? ifMatch, CancellationToken cancellationToken);
}
