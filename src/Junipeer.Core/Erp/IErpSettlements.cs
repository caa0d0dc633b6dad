using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;

namespace Junipeer.Core.Erp;

/// <summary>
/// Port: settling invoices from PSP payouts — customer payments applied to several invoices of one
/// customer with fee write-offs or charges, and credit notes applied to the invoice they reverse.
/// Creates are never retried after a timeout or 5xx; callers resolve the outcome by reference.
/// </summary>
public interface IErpSettlements
{
    /// <summary>Invoices whose <paramref name="field"/> equals <paramref name="reference"/> (normally zero or one).</summary>
    Task<IReadOnlyList<ErpOpenItem>> FindInvoicesAsync(Integration integration, InvoiceReferenceField field, string reference, CancellationToken cancellationToken);

    /// <summary>The customer's released invoices with an open balance (all pages).</summary>
    Task<IReadOnlyList<ErpOpenItem>> ListOpenInvoicesAsync(Integration integration, string customerNumber, CancellationToken cancellationToken);

    /// <summary>The invoice with lines and VAT details (to reverse it with the same VAT treatment).</summary>
    Task<ErpInvoiceDocument> GetInvoiceDocumentAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken);

    /// <summary>The customer's payments (callers match <see cref="ErpPaymentRef.Reference"/> themselves).</summary>
    Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken);

    /// <summary>Creates one customer payment applied to several invoices of its customer; returns the payment number.</summary>
    Task<string> CreateSettlementPaymentAsync(Integration integration, ErpSettlementPaymentDraft draft, CancellationToken cancellationToken);

    /// <summary>Credit notes carrying the reference (normally zero or one).</summary>
    Task<IReadOnlyList<ErpInvoiceRef>> FindCreditNotesAsync(Integration integration, string reference, CancellationToken cancellationToken);

    Task<string> CreateCreditNoteAsync(Integration integration, ErpCreditNoteDraft draft, CancellationToken cancellationToken);

    Task<ErpInvoiceRef> GetCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken);

    /// <summary>Releases the credit note (books it and applies it to the invoices named in the draft).</summary>
    Task ReleaseCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken);
}

/// <summary>An invoice as settlement sees it: who owes what, in which currency, since when.</summary>
public sealed record ErpOpenItem(string Number, string CustomerNumber, string Status, string Currency, DateOnly DocumentDate, decimal Amount, decimal Balance, string? Reference);

public sealed record ErpInvoiceDocument(ErpOpenItem Header, string VatZoneId, IReadOnlyList<ErpDocumentLine> Lines, IReadOnlyList<ErpTaxOverride> TaxDetails);

public sealed record ErpDocumentLine(string? ArticleNumber, string? Description, decimal Amount, string VatCategoryId);

/// <summary>One invoice settled by a payment: cash applied plus the fee written off (or charged).</summary>
public sealed record ErpSettlementLine(string InvoiceNumber, decimal AmountPaid, decimal WriteOff);

public sealed record ErpSettlementPaymentDraft
{
    public required string CustomerNumber { get; init; }
    public required DateOnly Date { get; init; }
    public required string CurrencyId { get; init; }

    /// <summary>Deterministic, searchable payment reference.</summary>
    public required string Reference { get; init; }
    public required string PaymentMethodId { get; init; }
    public required string CashAccount { get; init; }
    public required IReadOnlyList<ErpSettlementLine> Lines { get; init; }

    /// <summary>Reason code of the write-offs (when any line writes off).</summary>
    public string? WriteOffReasonCode { get; init; }

    /// <summary>Fees booked as one charge deducted from the payment (FeeBooking Charge), with its entry type.</summary>
    public decimal Charge { get; init; }
    public string? ChargeEntryType { get; init; }
    public string? Text { get; init; }

    /// <summary>What reaches the bank for this customer: Σ amountPaid − charge.</summary>
    public decimal Amount => Lines.Sum(l => l.AmountPaid) - Charge;
}

public sealed record ErpCreditNoteDraft
{
    public required string CustomerNumber { get; init; }
    public required DateOnly DocumentDate { get; init; }
    public required string CurrencyId { get; init; }
    public required string Reference { get; init; }
    public required string VatZoneId { get; init; }
    public required string Text { get; init; }
    public required IReadOnlyList<ErpInvoiceLine> Lines { get; init; }
    public IReadOnlyList<ErpTaxOverride> TaxOverrides { get; init; } = [];

    /// <summary>The invoice the credit is applied to on release, and how much (null: left as customer credit).</summary>
    public string? ApplyToInvoice { get; init; }
    public decimal ApplyAmount { get; init; }
}
