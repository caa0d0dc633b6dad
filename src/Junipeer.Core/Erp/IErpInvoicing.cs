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
}

/// <summary>Chooses the ERP adapter for an integration (Visma.net, later Fortnox).</summary>
public interface IErpInvoicingResolver
{
    IErpInvoicing For(Integration integration);
}
