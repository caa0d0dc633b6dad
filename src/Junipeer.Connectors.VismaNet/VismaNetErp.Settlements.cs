using System.Globalization;
using Junipeer.Connectors.Http;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.Logging;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// Settlement of PSP payouts on Visma.net: FindInvoices → GET /v1/customerinvoice?customerRefNumber|externalReference;
/// ListOpenInvoices → GET /v1/customerinvoice?customer&amp;status=Open (paged); GetInvoiceDocument → GET
/// /v1/customerinvoice/{n}; FindPaymentsForCustomer → GET /v1/customerPayment?customer (paged);
/// CreateSettlementPayment → POST /v1/customerPayment (one line per invoice, balanceWriteOff +
/// writeOffReasonCode, or financeCharges); credit notes → POST /v2/customerCreditNote (the current create:
/// the published v1 POST is marked deprecated, v2 takes the same CustomerCreditNoteUpdateDto), and
/// /v1/customerCreditNote for GET by customerRefNumber, GET one and POST …/action/release (v1 is the only
/// published version of those).
/// </summary>
public sealed partial class VismaNetErp : IErpSettlements
{
    public async Task<IReadOnlyList<ErpOpenItem>> FindInvoicesAsync(Integration integration, InvoiceReferenceField field, string reference, CancellationToken cancellationToken)
    {
        var name = field == InvoiceReferenceField.ExternalReference ? "externalReference" : "customerRefNumber";
        var invoices = await GetAllPagesAsync<CustomerInvoiceDto>(integration, VismaOperation.FindInvoices, ["v1", "customerinvoice"],
            [(name, reference)], LookupPageSize, i => i.Metadata, cancellationToken);

        // Whether the filters match exactly is undocumented: keep exact matches only.
        return invoices
            .Where(i => i.ReferenceNumber is not null
                        && string.Equals(field == InvoiceReferenceField.ExternalReference ? i.ExternalReference : i.CustomerRefNumber, reference, StringComparison.Ordinal))
            .Select(ToOpenItem)
            .ToList();
    }

    public async Task<IReadOnlyList<ErpOpenItem>> ListOpenInvoicesAsync(Integration integration, string customerNumber, CancellationToken cancellationToken)
    {
        var invoices = await GetAllPagesAsync<CustomerInvoiceDto>(integration, VismaOperation.ListOpenInvoices, ["v1", "customerinvoice"],
            [("customer", customerNumber), ("status", "Open")], LookupPageSize, i => i.Metadata, cancellationToken);
        return invoices
            .Where(i => i.ReferenceNumber is not null && string.Equals(i.Customer?.Number, customerNumber, StringComparison.Ordinal)
                        && string.Equals(i.Status, "Open", StringComparison.OrdinalIgnoreCase))
            .Select(ToOpenItem)
            .ToList();
    }

    public async Task<ErpInvoiceDocument> GetInvoiceDocumentAsync(Integration integration, string invoiceNumber, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.GetInvoice, HttpMethod.Get, ["v1", "customerinvoice", invoiceNumber], [], null, cancellationToken);
        var dto = VismaJson.Deserialize<CustomerInvoiceDto>(response.Body)
                  ?? throw new VismaNetApiException(ErrorCodes.ErpRequestRejected, $"Visma.net returned an empty body for invoice {invoiceNumber}.", FailureKind.Rejected, response.StatusCode);
        dto = dto with { ReferenceNumber = dto.ReferenceNumber ?? invoiceNumber };
        return new ErpInvoiceDocument(
            ToOpenItem(dto),
            dto.CustomerVatZone?.Id ?? "",
            [.. (dto.InvoiceLines ?? []).Where(l => l.VatCode?.Id is not null)
                .Select(l => new ErpDocumentLine(l.InventoryNumber, l.Description, l.AmountInCurrency ?? 0m, l.VatCode!.Id!))],
            [.. (dto.TaxDetails ?? []).Where(t => t.TaxId is not null)
                .Select(t => new ErpTaxOverride(t.TaxId!, t.TaxableAmount ?? 0m, t.VatAmount ?? 0m))]);
    }

    public async Task<IReadOnlyList<ErpPaymentRef>> FindPaymentsForCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken)
    {
        var payments = await GetAllPagesAsync<PaymentDto>(integration, VismaOperation.FindCustomerPayments, ["v1", "customerPayment"],
            [("customer", customerNumber)], LookupPageSize, p => p.Metadata, cancellationToken);
        return payments
            .Where(p => p.RefNbr is not null && !string.Equals(p.Status, "Voided", StringComparison.OrdinalIgnoreCase)
                        && (p.Customer?.Number is null || string.Equals(p.Customer.Number, customerNumber, StringComparison.Ordinal))
                        && (p.Type is null || string.Equals(p.Type, PaymentType, StringComparison.OrdinalIgnoreCase)))
            .Select(p => new ErpPaymentRef(p.RefNbr!, p.Status ?? "", p.PaymentRef, p.PaymentAmountInCurrency ?? p.PaymentAmount ?? 0m))
            .ToList();
    }

    public async Task<string> CreateSettlementPaymentAsync(Integration integration, ErpSettlementPaymentDraft draft, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.CreatePayment, HttpMethod.Post, ["v1", "customerPayment"], [],
            VismaJson.Serialize(ToSettlementDto(draft)), cancellationToken);
        var number = NumberFromLocation(response.Header("Location"), VismaOperation.CreatePayment);
        _logger.LogInformation("Created Visma.net customer payment {Number} ({Reference}) over {Invoices} invoice(s) of customer {Customer}, integration {IntegrationId}",
            number, draft.Reference, draft.Lines.Count, draft.CustomerNumber, integration.Id);
        return number;
    }

    public async Task<IReadOnlyList<ErpInvoiceRef>> FindCreditNotesAsync(Integration integration, string reference, CancellationToken cancellationToken)
    {
        var notes = await GetAllPagesAsync<CustomerInvoiceDto>(integration, VismaOperation.FindCreditNotes, ["v1", "customerCreditNote"],
            [("customerRefNumber", reference)], LookupPageSize, i => i.Metadata, cancellationToken);
        return notes
            .Where(n => n.ReferenceNumber is not null && string.Equals(n.CustomerRefNumber, reference, StringComparison.Ordinal))
            .Select(ToInvoiceRef)
            .ToList();
    }

    public async Task<string> CreateCreditNoteAsync(Integration integration, ErpCreditNoteDraft draft, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.CreateCreditNote, HttpMethod.Post, ["v2", "customerCreditNote"], [],
            VismaJson.Serialize(ToCreditNoteDto(draft)), cancellationToken);
        var number = NumberFromLocation(response.Header("Location"), VismaOperation.CreateCreditNote);
        _logger.LogInformation("Created Visma.net credit note {Number} ({Reference}) for integration {IntegrationId}", number, draft.Reference, integration.Id);
        return number;
    }

    public async Task<ErpInvoiceRef> GetCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken)
    {
        var response = await SendAsync(integration, VismaOperation.GetCreditNote, HttpMethod.Get, ["v1", "customerCreditNote", creditNoteNumber], [], null, cancellationToken);
        var dto = VismaJson.Deserialize<CustomerInvoiceDto>(response.Body)
                  ?? throw new VismaNetApiException(ErrorCodes.ErpRequestRejected, $"Visma.net returned an empty body for credit note {creditNoteNumber}.", FailureKind.Rejected, response.StatusCode);
        return ToInvoiceRef(dto with { ReferenceNumber = dto.ReferenceNumber ?? creditNoteNumber });
    }

    // The published release operation declares no request body: none is sent.
    public Task ReleaseCreditNoteAsync(Integration integration, string creditNoteNumber, CancellationToken cancellationToken) =>
        ReleaseAsync(integration, VismaOperation.ReleaseCreditNote, ["v1", "customerCreditNote", creditNoteNumber, "action", "release"], null, "credit note", creditNoteNumber, cancellationToken);

    internal static PaymentUpdateDto ToSettlementDto(ErpSettlementPaymentDraft draft) => new()
    {
        Type = VismaValue.Of(PaymentType),
        Hold = VismaValue.Of(false),
        ApplicationDate = VismaValue.Of(draft.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        PaymentRef = VismaValue.Of(draft.Reference),
        Customer = VismaValue.Of(draft.CustomerNumber),
        PaymentMethod = VismaValue.Of(draft.PaymentMethodId),
        CashAccount = VismaValue.Of(draft.CashAccount),
        Currency = VismaValue.Of(draft.CurrencyId),
        PaymentAmount = VismaValue.Of(draft.Amount),
        InvoiceText = draft.Text is null ? null : VismaValue.Of(draft.Text),
        PaymentLines = draft.Lines.Select(l => new PaymentLineUpdateDto
        {
            Operation = "Insert",
            DocumentType = VismaValue.Of("Invoice"),
            RefNbr = VismaValue.Of(l.InvoiceNumber),
            AmountPaid = VismaValue.Of(l.AmountPaid),
            BalanceWriteOff = l.WriteOff > 0m ? VismaValue.Of(l.WriteOff) : null,
            WriteOffReasonCode = l.WriteOff > 0m && draft.WriteOffReasonCode is { } code ? VismaValue.Of(code) : null,
        }).ToList(),
        FinanceCharges = draft.Charge > 0m
            ? [new FinanceChargeUpdateDto { EntryType = VismaValue.Of(draft.ChargeEntryType ?? ""), Amount = VismaValue.Of(draft.Charge), Description = VismaValue.Of("PSP fees") }]
            : null,
    };

    internal static CustomerCreditNoteUpdateDto ToCreditNoteDto(ErpCreditNoteDraft draft) => new()
    {
        CustomerNumber = VismaValue.Of(draft.CustomerNumber),
        DocumentDate = VismaValue.Of(draft.DocumentDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        CurrencyId = VismaValue.Of(draft.CurrencyId),
        CustomerRefNumber = VismaValue.Of(draft.Reference),
        ExternalReference = VismaValue.Of(draft.Reference),
        InvoiceText = VismaValue.Of(draft.Text),
        CustomerVatZoneId = VismaValue.Of(draft.VatZoneId),
        Hold = VismaValue.Of(false),
        Lines = draft.Lines.Select(l => new CustomerInvoiceLineUpdateDto
        {
            InventoryNumber = string.IsNullOrEmpty(l.ArticleNumber) ? null : VismaValue.Of(l.ArticleNumber),
            Description = VismaValue.Of(l.Description),
            Quantity = VismaValue.Of(l.Quantity),
            UnitPriceInCurrency = VismaValue.Of(l.UnitPrice),
            ManualAmountInCurrency = VismaValue.Of(l.Amount),
            VatCodeId = VismaValue.Of(l.VatCategoryId),
        }).ToList(),
        TaxDetails = draft.TaxOverrides.Count == 0 ? null : draft.TaxOverrides.Select(t => new TaxDetailLineUpdateDto
        {
            TaxId = VismaValue.Of(t.TaxId),
            TaxableAmount = VismaValue.Of(t.TaxableAmount),
            VatAmount = VismaValue.Of(t.VatAmount),
        }).ToList(),
        ApplicationLines = draft.ApplyToInvoice is { } invoice
            ? [new ApplicationLineUpdateDto { DocumentType = VismaValue.Of("Invoice"), RefNbr = VismaValue.Of(invoice), AmountPaid = VismaValue.Of(draft.ApplyAmount) }]
            : null,
    };

    private static ErpOpenItem ToOpenItem(CustomerInvoiceDto dto) => new(
        dto.ReferenceNumber!,
        dto.Customer?.Number ?? "",
        dto.Status ?? "",
        dto.CurrencyId ?? "",
        ParseDate(dto.DocumentDate) ?? DateOnly.MinValue,
        dto.AmountInCurrency ?? dto.Amount ?? 0m,
        dto.BalanceInCurrency ?? dto.Balance ?? 0m,
        dto.CustomerRefNumber ?? dto.ExternalReference);
}
