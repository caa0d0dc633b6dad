using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>
/// Port: the ERP side of the orders flow (Visma.net first, Fortnox second). Implementations never
/// retry a create after a timeout or 5xx (they throw <c>ERP_UNAVAILABLE</c>); the caller looks the
/// document up by reference on its next attempt instead.
/// </summary>
public interface IErpInvoicing
{
    Task<ErpCustomerRef?> FindCustomerByEmailAsync(Integration integration, string email, CancellationToken cancellationToken);

    /// <summary>Creates a customer with the ERP's auto-numbering and returns its number.</summary>
    Task<string> CreateCustomerAsync(Integration integration, ErpCustomerDraft draft, CancellationToken cancellationToken);

    /// <summary>All invoices carrying the reference (normally zero or one).</summary>
    Task<IReadOnlyList<ErpInvoiceRef>> FindInvoicesByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken);

    /// <summary>Creates the invoice and returns its document number.</summary>
    Task<string> CreateInvoiceAsync(Integration integration, ErpInvoiceDraft draft, CancellationToken cancellationToken);

    Task<ErpInvoiceRef> GetInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>Releases (books) the invoice. Releasing an already released invoice is not an error.</summary>
    Task ReleaseInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>All customer payments applied to the invoice (callers match the reference themselves).</summary>
    Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>Creates a customer payment applied to the draft's invoice and returns the payment number.</summary>
    Task<string> CreatePaymentAsync(Integration integration, ErpPaymentDraft draft, CancellationToken cancellationToken);

    /// <summary>Releases the payment (applies it). Releasing an already released payment is not an error.</summary>
    Task ReleasePaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken);

    Task<IReadOnlyList<ErpVatCategory>> GetVatCategoriesAsync(Integration integration, CancellationToken cancellationToken);

    /// <summary>Every invoice the ERP changed at or after <paramref name="since"/> (all pages).</summary>
    Task<IReadOnlyList<ErpInvoiceRef>> ListInvoicesModifiedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Customers carrying the deterministic lookup key (<see cref="ErpCustomerDraft.LookupKey"/>),
    /// exact matches only; normally zero or one.
    /// </summary>
    Task<IReadOnlyList<ErpCustomerRef>> FindCustomersByKeyAsync(Integration integration, string key, CancellationToken cancellationToken);

    /// <summary>One customer payment with its status as the ERP reports it (resolves a release whose answer was lost).</summary>
    Task<ErpPaymentRef> GetPaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the customer's fields from the draft. With <paramref name="ifMatch"/> null the current
    /// version is read first; a version that no longer matches fails with <c>ERP_VERSION_CONFLICT</c>.
    /// </summary>
    Task UpdateCustomerAsync(Integration integration, string customerNumber, ErpCustomerDraft draft, string? ifMatch, CancellationToken cancellationToken);
}

/// <summary>Chooses the ERP adapter for an integration (Visma.net, later Fortnox).</summary>
public interface IErpInvoicingResolver
{
    IErpInvoicing For(Integration integration);
}
