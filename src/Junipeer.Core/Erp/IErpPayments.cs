using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>Port: customer payments applied to invoices.</summary>
public interface IErpPayments
{
    /// <summary>All customer payments applied to the invoice (callers match the reference themselves).</summary>
    Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>Creates a customer payment applied to the draft's invoice and returns the payment number.</summary>
    Task<string> CreatePaymentAsync(Integration integration, ErpPaymentDraft draft, CancellationToken cancellationToken);

    /// <summary>The payment with its status as the ERP reports it (Visma: Hold, Balanced, Open, Closed …).</summary>
    Task<ErpPaymentRef> GetPaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken);

    /// <summary>Releases the payment (applies it).</summary>
    Task ReleasePaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken);
}
