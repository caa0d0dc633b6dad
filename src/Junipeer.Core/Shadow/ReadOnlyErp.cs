using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The ERP as a shadow run sees it: reads go to the real connector, every write (create, update,
/// release) throws SHADOW_WRITE_BLOCKED before anything is sent: customers, invoices, payments,
/// settlements (payout payments, credit notes) and the customer sync's guarded update.
/// Shadow code only ever gets this wrapper, so it cannot write by construction.
/// </summary>
public sealed class ReadOnlyErp(IErpAdapter inner) : IErpAdapter
{
    private readonly IErpSettlements? _settlements = inner.Settlements is { } s ? new ReadOnlySettlements(s) : null;
    private readonly IErpCustomerSync? _customerSync = inner as IErpCustomerSync is { } c ? new ReadOnlyCustomerSync(c) : null;
    private readonly IErpArticleSync? _articleSync = inner as IErpArticleSync is { } a ? new ReadOnlyArticleSync(a) : null;

    public string Kind => inner.Kind;

    public IErpCustomers Customers { get; } = new ReadOnlyCustomers(inner.Customers);

    public IErpInvoices Invoices { get; } = new ReadOnlyInvoices(inner.Invoices);

    public IErpPayments Payments { get; } = new ReadOnlyPayments(inner.Payments);

    public IErpReferenceData ReferenceData => inner.ReferenceData;

    /// <summary>Settlement reads (invoices by reference, open items, payments, credit notes); every write blocked. Null when the connector has none.</summary>
    public IErpSettlements? Settlements => _settlements;

    /// <summary>The customer sync's reads (delta, one customer with its version); the guarded update blocked. Null when the connector has none.</summary>
    public IErpCustomerSync? CustomerSync => _customerSync;

    /// <summary>The product sync's article reads (delta, one article with its version); create and update blocked. Null when the connector has none.</summary>
    public IErpArticleSync? ArticleSync => _articleSync;

    public bool IsReleased(string status) => inner.IsReleased(status);

    internal static JunipeerException Blocked(string operation, Integration integration) =>
        new(ErrorCodes.ShadowWriteBlocked, $"Shadow mode: {operation} for integration '{integration.Id}' was blocked; nothing was written to the ERP.");

    private sealed class ReadOnlyCustomers(IErpCustomers inner) : IErpCustomers
    {
        public Task<ErpCustomerRef?> FindCustomerByEmailAsync(Integration integration, string email, CancellationToken cancellationToken) =>
            inner.FindCustomerByEmailAsync(integration, email, cancellationToken);

        public Task<IReadOnlyList<ErpCustomerRef>> FindCustomersByKeyAsync(Integration integration, string key, CancellationToken cancellationToken) =>
            inner.FindCustomersByKeyAsync(integration, key, cancellationToken);

        public Task<string> CreateCustomerAsync(Integration integration, ErpCustomerDraft draft, CancellationToken cancellationToken) =>
            throw Blocked("create customer", integration);

        public Task UpdateCustomerAsync(Integration integration, string customerNumber, ErpCustomerDraft draft, string? ifMatch, CancellationToken cancellationToken) =>
            throw Blocked($"update customer {customerNumber}", integration);
    }

    private sealed class ReadOnlyInvoices(IErpInvoices inner) : IErpInvoices
    {
        public Task<IReadOnlyList<ErpInvoiceRef>> FindInvoicesByReferenceAsync(Integration integration, string reference, CancellationToken cancellationToken) =>
            inner.FindInvoicesByReferenceAsync(integration, reference, cancellationToken);

        public Task<IReadOnlyList<ErpInvoiceRef>> ListInvoicesModifiedSinceAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken) =>
            inner.ListInvoicesModifiedSinceAsync(integration, since, cancellationToken);

        public Task<ErpInvoiceRef> GetInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken) =>
            inner.GetInvoiceAsync(integration, invoiceNumber, cancellationToken);

        public Task<string> CreateInvoiceAsync(Integration integration, ErpInvoiceDraft draft, CancellationToken cancellationToken) =>
            throw Blocked($"create invoice {draft.Reference}", integration);

        public Task ReleaseInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken) =>
            throw Blocked($"release invoice {invoiceNumber}", integration);
    }

    private sealed class ReadOnlyPayments(IErpPayments inner) : IErpPayments
    {
        public Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForInvoiceAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken) =>
            inner.FindPaymentsForInvoiceAsync(integration, invoiceNumber, cancellationToken);

        public Task<ErpPaymentRef> GetPaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken) =>
            inner.GetPaymentAsync(integration, paymentNumber, cancellationToken);

        public Task<string> CreatePaymentAsync(Integration integration, ErpPaymentDraft draft, CancellationToken cancellationToken) =>
            throw Blocked($"create payment {draft.Reference}", integration);

        public Task ReleasePaymentAsync(Integration integration, string paymentNumber, CancellationToken cancellationToken) =>
            throw Blocked($"release payment {paymentNumber}", integration);
    }

    private sealed class ReadOnlySettlements(IErpSettlements inner) : IErpSettlements
    {
        public Task<IReadOnlyList<ErpOpenItem>> FindInvoicesAsync(Integration integration, InvoiceReferenceField field, string reference, CancellationToken cancellationToken) =>
            inner.FindInvoicesAsync(integration, field, reference, cancellationToken);

        public Task<IReadOnlyList<ErpOpenItem>> ListOpenInvoicesAsync(Integration integration, string customerNumber, CancellationToken cancellationToken) =>
            inner.ListOpenInvoicesAsync(integration, customerNumber, cancellationToken);

        public Task<ErpInvoiceDocument> GetInvoiceDocumentAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken) =>
            inner.GetInvoiceDocumentAsync(integration, invoiceNumber, cancellationToken);

        public Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken) =>
            inner.FindPaymentsForCustomerAsync(integration, customerNumber, cancellationToken);

        public Task<string> CreateSettlementPaymentAsync(Integration integration, ErpSettlementPaymentDraft draft, CancellationToken cancellationToken) =>
            throw Blocked($"create payment {draft.Reference}", integration);

        public Task<IReadOnlyList<ErpInvoiceRef>> FindCreditNotesAsync(Integration integration, string reference, CancellationToken cancellationToken) =>
            inner.FindCreditNotesAsync(integration, reference, cancellationToken);

        public Task<string> CreateCreditNoteAsync(Integration integration, ErpCreditNoteDraft draft, CancellationToken cancellationToken) =>
            throw Blocked($"create credit note {draft.Reference}", integration);

        public Task<ErpInvoiceRef> GetCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken) =>
            inner.GetCreditNoteAsync(integration, creditNoteNumber, cancellationToken);

        public Task ReleaseCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken) =>
            throw Blocked($"release credit note {creditNoteNumber}", integration);
    }

    private sealed class ReadOnlyCustomerSync(IErpCustomerSync inner) : IErpCustomerSync
    {
        public IAsyncEnumerable<IReadOnlyList<ErpCustomerRecord>> ListCustomersModifiedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken) =>
            inner.ListCustomersModifiedSinceAsync(integration, since, cancellationToken);

        public Task<ErpCustomerRecord?> GetCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken) =>
            inner.GetCustomerAsync(integration, customerNumber, cancellationToken);

        public Task UpdateCustomerFieldsAsync(Integration integration, string customerNumber, ErpCustomerChange change, string version, CancellationToken cancellationToken) =>
            throw Blocked($"update customer {customerNumber}", integration);
    }

    private sealed class ReadOnlyArticleSync(IErpArticleSync inner) : IErpArticleSync
    {
        public IAsyncEnumerable<IReadOnlyList<ErpArticleRecord>> ListArticlesModifiedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken) =>
            inner.ListArticlesModifiedSinceAsync(integration, since, cancellationToken);

        public Task<ErpArticleRecord?> GetArticleAsync(Integration integration, string number, CancellationToken cancellationToken) =>
            inner.GetArticleAsync(integration, number, cancellationToken);

        public Task<string> CreateArticleAsync(Integration integration, ErpArticleDraft draft, CancellationToken cancellationToken) =>
            throw Blocked($"create article {draft.Number}", integration);

        public Task UpdateArticleAsync(Integration integration, string number, ErpArticleChange change, string version, CancellationToken cancellationToken) =>
            throw Blocked($"update article {number}", integration);
    }
}
