using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Refunds;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// Refunds made in Centra, in shadow mode: the order is read, each SUCCESS refund keyed as the live path
/// keys it (<see cref="RefundKeys"/>), the invoice found by the order's reference (orders ledger, else a
/// read in the ERP), the live checks run (<see cref="RefundSyncHandler.Check"/>), and the credit note a
/// live run would book (<see cref="CreditNotes.Draft"/>: the invoice's VAT zone and categories, applied
/// while open) is recorded, one <see cref="ShadowRecord"/> per order in flow <c>refunds</c>. A credit note
/// already in the ERP under the refund's reference is shown as existing. Reads only, through
/// <see cref="ReadOnlyErp"/>; no ledger row.
/// </summary>
public sealed class ShadowRefundSync(
    IShopOrderSource shop,
    IErpResolver erps,
    PayoutMatcher matcher,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowRefundSync> logger)
{
    public async Task<ShadowRecord> RunAsync(Integration integration, WorkItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(item);
        var record = await DecideAsync(integration, item.EntityKey, ct);
        if (record.Outcome != ShadowOutcome.Skipped || record.SkipReason != NoRefunds)
            await log.SaveAsync(record, ct); // an order with no refunds leaves no record (the order sweep sends every changed order)
        logger.LogInformation("Shadow: refunds of order {OrderNumber} of {IntegrationId} {Outcome} {ErrorCode}: {CreditNotes} credit note(s)",
            item.EntityKey, integration.Id, record.Outcome, record.ErrorCode, record.CreditNotes.Count);
        return record;
    }

    private const string NoRefunds = "no refunds";

    private async Task<ShadowRecord> DecideAsync(Integration integration, string orderNumber, CancellationToken ct)
    {
        var basis = new ShadowRecord
        {
            IntegrationId = integration.Id, Flow = PayoutFlows.Refunds, EntityKey = orderNumber, Outcome = ShadowOutcome.Failed, RecordedAt = time.GetUtcNow(),
            DocumentType = ShadowPayoutSync.CreditNoteDocument,
        };
        try
        {
            var erp = new ReadOnlyErp(erps.For(integration));
            var settle = erp.Settlements
                         ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The {erp.Kind} connector cannot book credit notes yet.");
            var order = await shop.GetOrderAsync(integration, orderNumber, ct)
                        ?? throw new JunipeerException(ErrorCodes.OrderNotFoundInShop, $"Centra has no order {orderNumber}; its refunds cannot be read.");
            basis = basis with { EntityDate = order.OrderDate, Currency = order.Currency };
            if (!OrderOwnership.Owns(integration, order))
                return basis with { Outcome = ShadowOutcome.Skipped, SkipReason = "order owned by another integration" };
            if (order.Refunds.Count == 0)
                return basis with { Outcome = ShadowOutcome.Skipped, SkipReason = NoRefunds };

            var (invoiceNumber, customer) = await matcher.FindInvoiceAsync(integration, settle, order.OrderNumber, ct);
            var notes = new List<ShadowCreditNote>();
            var remarks = new List<string>();
            decimal refundedSoFar = 0m;
            foreach (var refund in order.Refunds)
            {
                refundedSoFar += refund.Amount;
                var provider = RefundKeys.ProviderOf(refund.Method);
                var pspId = string.IsNullOrWhiteSpace(refund.PspReference) ? "centra-" + refund.Id : refund.PspReference.Trim();
                var reference = RefundKeys.Reference(provider, pspId);
                if (RefundSyncHandler.CutOverSkip(integration, refund, order.OrderDate) is { } skip)
                {
                    remarks.Add($"refund {pspId}: {skip}");
                    continue;
                }

                var found = await settle.FindCreditNotesAsync(integration, reference, ct);
                if (found.Count > 1)
                    throw new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder, $"{found.Count} credit notes carry refund reference {reference}: {string.Join(", ", found.Select(f => f.Number))}.");
                if (found.Count == 1)
                {
                    notes.Add(new ShadowCreditNote(reference, "Refund", pspId, invoiceNumber, customer, refund.Amount, refund.Currency, null, false, found[0].Number));
                    continue;
                }

                if (invoiceNumber is null)
                {
                    // A live run waits for the invoice (REFUND_INVOICE_NOT_FOUND, retried for Payouts.UnmatchedRetryHours).
                    var shadowOrder = (await log.ListAsync(integration.Id, Flows.Orders, ct)).FirstOrDefault(r => r.EntityKey == order.OrderNumber);
                    if (shadowOrder?.Outcome != ShadowOutcome.WouldBook)
                        throw new JunipeerException(ErrorCodes.RefundInvoiceNotFound,
                            $"Refund {pspId} of order {order.OrderNumber} ({refund.Amount:0.00} {refund.Currency}) has no invoice to credit (reference {integration.Orders.ReferencePrefix}{order.OrderNumber}) and the orders flow would not book one.");
                    notes.Add(new ShadowCreditNote(reference, "Refund", pspId, null, null, refund.Amount, refund.Currency, shadowOrder.TaxZoneId, false, null));
                    remarks.Add($"refund {pspId}: the orders flow would book invoice {shadowOrder.Reference} first; the credit note follows it");
                    continue;
                }

                var invoice = await settle.GetInvoiceDocumentAsync(integration, invoiceNumber, ct);
                if (RefundSyncHandler.Check(order, refund, invoice, refundedSoFar) is { } problem)
                    throw new JunipeerException(problem.Code, problem.Message);
                var apply = string.Equals(invoice.Header.Status, "Open", StringComparison.OrdinalIgnoreCase) && invoice.Header.Balance >= refund.Amount;
                var date = DateOnly.FromDateTime((refund.CreatedAt == DateTimeOffset.MinValue ? time.GetUtcNow() : refund.CreatedAt).UtcDateTime);
                var draft = CreditNotes.Draft(invoice, refund.Amount, reference, date, $"Centra refund {pspId} of order {order.OrderNumber}", apply);
                notes.Add(new ShadowCreditNote(reference, "Refund", pspId, invoiceNumber, invoice.Header.CustomerNumber, refund.Amount, draft.CurrencyId, draft.VatZoneId, apply, null));
                if (!apply)
                    remarks.Add($"refund {pspId}: invoice {invoiceNumber} is settled already, the credit note would stay customer credit");
            }

            var anyNew = notes.Any(n => n.ExistingDocument is null);
            return basis with
            {
                Outcome = anyNew ? ShadowOutcome.WouldBook : notes.Count > 0 ? ShadowOutcome.AlreadyBooked : ShadowOutcome.Skipped,
                SkipReason = notes.Count == 0 ? "every refund is before the cut-over date" : null,
                Reference = string.Join(", ", notes.Select(n => n.Reference)),
                ExistingDocument = anyNew ? null : string.Join(", ", notes.Select(n => n.ExistingDocument).OfType<string>()),
                GrossTotal = notes.Where(n => n.ExistingDocument is null).Sum(n => n.Amount),
                TaxZoneId = notes.Select(n => n.VatZoneId).FirstOrDefault(z => z is not null),
                CustomerNumber = customer,
                CreditNotes = notes,
                Notes = remarks,
            };
        }
        catch (JunipeerException ex) when (!ex.Retryable)
        {
            return basis with { Outcome = ShadowOutcome.Failed, ErrorCode = ex.Code, Message = ex.Message, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix };
        }
    }
}
