using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>
/// Port: customer invoices. Implementations never retry a create after a timeout or 5xx (they throw
/// ERP_UNAVAILABLE); the caller resolves the uncertain outcome by reference or status.
/// </summary>
public interface IErpInvoices
{
    /// <summary>All invoices carrying the reference (normally zero or one).</summary>
    Task<IReadOnlyList<ErpInvoiceRef>> FindInvoicesByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken);

    /// <summary>Invoices modified at or after <paramref name="since"/> (all pages): feeds the recent-document index.</summary>
    Task<IReadOnlyList<ErpInvoiceRef>> ListInvoicesModifiedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Creates the invoice and returns its document number.</summary>
    Task<string> CreateInvoiceAsync(Integration integration, ErpInvoiceDraft draft, CancellationToken cancellationToken);

    /// <summary>The invoice with its status as the ERP reports it (Visma: Hold, Balanced, Open, Closed …).</summary>
    Task<ErpInvoiceRef> GetInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>Releases (books) the invoice.</summary>
    Task ReleaseInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);
}
