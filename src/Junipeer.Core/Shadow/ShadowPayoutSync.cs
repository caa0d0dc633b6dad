using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The payouts flow in shadow mode: the payout is read from its PSP, the same checks as
/// <see cref="PayoutSyncHandler"/> run (currency, Σ net = total, fee setting; per invoice open, currency,
/// date, balance), the lines are matched to ERP invoices by reference (the orders ledger, else a read in
/// the ERP) and grouped per customer; the result is one <see cref="ShadowRecord"/> per payout listing the
/// payments (invoices applied, fees written off with the reason code), the credit notes of refunds and
/// chargebacks, and the unmatched transactions with their code. The ERP is reached only through
/// <see cref="ReadOnlyErp"/>: no ledger row, no lease, no write. A payment or credit note already in the
/// ERP under its deterministic reference is shown as existing (a live run would adopt it).
/// </summary>
public sealed class ShadowPayoutSync(
    IEnumerable<IPayoutSource> sources,
    IErpResolver erps,
    PayoutMatcher matcher,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowPayoutSync> logger)
{
    public const string PaymentDocument = "customerPayment";
    public const string CreditNoteDocument = "customerCreditNote";

    public async Task<ShadowRecord> RunAsync(Integration integration, WorkItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(item);
        var record = await DecideAsync(integration, item.EntityKey, ct);
        await log.SaveAsync(record, ct);
        logger.LogInformation("Shadow: payout {Payout} of {IntegrationId} {Outcome} {ErrorCode}: {Payments} payment(s), {CreditNotes} credit note(s), {Unmatched} unmatched",
            item.EntityKey, integration.Id, record.Outcome, record.ErrorCode, record.Payments.Count, record.CreditNotes.Count, record.Unmatched.Count);
        return record;
    }

    private async Task<ShadowRecord> DecideAsync(Integration integration, string key, CancellationToken ct)
    {
        var basis = new ShadowRecord
        {
            IntegrationId = integration.Id, Flow = Flows.Payouts, EntityKey = key, Outcome = ShadowOutcome.Failed, RecordedAt = time.GetUtcNow(), DocumentType = PaymentDocument,
        };
        try
        {
            var split = key.IndexOf(':', StringComparison.Ordinal);
            if (split <= 0 || split == key.Length - 1)
                throw new JunipeerException(ErrorCodes.QueueMessageInvalid, $"Payout key '{key}' is not '<provider>:<payout id>'.");
            var (provider, payoutId) = (key[..split], key[(split + 1)..]);
            if (!integration.Payouts.Providers.TryGetValue(provider, out var psp))
                throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"Payouts.Providers has no '{provider}' entry; payout {payoutId} cannot be booked.");
            var source = sources.LastOrDefault(s => string.Equals(s.Provider, provider, StringComparison.Ordinal))
                         ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"No payout source for '{provider}' is registered in this deployment.");
            var erp = new ReadOnlyErp(erps.For(integration));
            var settle = erp.Settlements
                         ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The {erp.Kind} connector cannot settle payouts yet.");
            var payout = await source.GetPayoutAsync(integration, payoutId, ct)
                         ?? throw new JunipeerException(ErrorCodes.PayoutNotFound, $"{provider} has no paid payout {payoutId} (unknown, not paid yet, or its transactions are not reconciled yet).");
            basis = basis with { EntityDate = payout.CreatedAt, DocumentDate = payout.Date, Currency = payout.Currency, GrossTotal = payout.Total, NetTotal = payout.Total };

            PayoutSyncHandler.CheckPayout(integration, payout);
            var settings = integration.Payouts;
            var settleable = payout.Lines.Where(l => l.Kind is PayoutLineKind.Sale or PayoutLineKind.Refund or PayoutLineKind.Chargeback).ToList();
            var matched = await matcher.MatchAsync(integration, settle, psp, settleable, ct);

            // Unmatched: a live run reports PAYOUT_INVOICE_NOT_FOUND and retries; when the order's own shadow
            // record says the orders flow would book its invoice, the payout simply waits for it.
            var unmatched = new List<ShadowUnmatched>();
            Dictionary<string, ShadowRecord>? shadowOrders = null;
            foreach (var m in matched.Where(m => !m.Matched))
            {
                shadowOrders ??= (await log.ListAsync(integration.Id, Flows.Orders, ct)).ToDictionary(r => r.EntityKey, StringComparer.Ordinal);
                var order = PayoutMatcher.OrderNumberOf(m.Line.Reference, psp.ReferencePrefix);
                var pending = order is not null && shadowOrders.TryGetValue(order, out var o) && o.Outcome == ShadowOutcome.WouldBook;
                unmatched.Add(new ShadowUnmatched(m.Line.TransactionId, m.Line.Kind.ToString(), m.Line.Reference, m.Line.Gross,
                    pending ? null : ErrorCodes.PayoutInvoiceNotFound,
                    pending ? $"no invoice yet: the orders flow would book order {order} ({m.InvoiceReference}) first; a live run settles it once booked"
                        : order is null ? $"the reference does not carry the PSP prefix '{psp.ReferencePrefix}'" : $"no invoice {m.InvoiceReference} in the ERP"));
            }

            var payments = new List<ShadowPayment>();
            var notes = new List<ShadowCreditNote>();
            var remarks = new List<string>();
            foreach (var group in matched.Where(m => m.Matched).GroupBy(m => m.CustomerNumber!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var customer = group.Key;
                var reference = PayoutSyncHandler.PaymentReference(payout, 0, customer);
                var existing = (await settle.FindPaymentsForCustomerAsync(integration, customer, ct))
                    .Where(p => string.Equals(p.Reference, reference, StringComparison.Ordinal)).Select(p => p.Number).ToList();
                if (existing.Count > 1)
                    throw new JunipeerException(ErrorCodes.DuplicatePaymentForOrder, $"{existing.Count} payments of customer {customer} carry payout reference {reference}: {string.Join(", ", existing)}.");
                var open = await settle.ListOpenInvoicesAsync(integration, customer, ct);
                if (existing.Count == 0)
                    PayoutSyncHandler.CheckInvoices(payout, customer, group, open);

                foreach (var refund in group.Where(m => m.Line.Kind is PayoutLineKind.Refund or PayoutLineKind.Chargeback))
                {
                    if (refund.Line.Kind == PayoutLineKind.Chargeback && settings.ChargebackHandling == ChargebackHandling.ReportOnly)
                    {
                        remarks.Add($"chargeback {refund.Line.TransactionId} on invoice {refund.InvoiceNumber} would not be booked (ChargebackHandling ReportOnly): {ErrorCodes.PayoutChargeback}");
                        continue;
                    }

                    notes.Add(await CreditNoteAsync(integration, settle, payout, refund, open, ct));
                }

                var (lines, charge) = PayoutSyncHandler.SettlementLines(settings, group);
                if (lines.Count == 0)
                    continue; // refunds only: the credit notes are customer credit, no cash line
                var writeOff = lines.Sum(l => l.WriteOff);
                var byInvoice = group.GroupBy(m => m.InvoiceNumber!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().InvoiceReference, StringComparer.Ordinal);
                payments.Add(new ShadowPayment(
                    customer, reference, lines.Sum(l => l.AmountPaid) - charge, payout.Currency, writeOff,
                    writeOff > 0m ? settings.FeeWriteOffReasonCode : null, charge, charge > 0m ? settings.FeeChargeEntryType : null,
                    [.. lines.Select(l => new ShadowPaymentLine(l.InvoiceNumber, byInvoice.GetValueOrDefault(l.InvoiceNumber), l.AmountPaid, l.WriteOff))],
                    existing.Count == 1 ? existing[0] : null));
            }

            var unbooked = payout.Lines.Where(l => l.Kind is PayoutLineKind.Fee or PayoutLineKind.Other).ToList();
            if (unbooked.Count > 0)
                remarks.Add($"{unbooked.Count} fee/other line(s) not tied to a sale ({unbooked.Sum(l => l.Net):0.00} {payout.Currency}) are not booked by this flow");
            var anyNew = payments.Any(p => p.ExistingDocument is null) || notes.Any(n => n.ExistingDocument is null);
            var anyOld = payments.Any(p => p.ExistingDocument is not null) || notes.Any(n => n.ExistingDocument is not null);
            return basis with
            {
                Outcome = anyNew ? ShadowOutcome.WouldBook : anyOld ? ShadowOutcome.AlreadyBooked : ShadowOutcome.Skipped,
                SkipReason = anyNew || anyOld ? null
                    : unmatched.Count > 0 ? "no transaction matches an invoice yet: a live run books nothing now and retries (see unmatched)"
                    : "nothing to settle (fees and other lines only)",
                ExistingDocument = anyOld && !anyNew ? string.Join(", ", payments.Select(p => p.ExistingDocument).Concat(notes.Select(n => n.ExistingDocument)).OfType<string>()) : null,
                Reference = string.Join(", ", payments.Select(p => p.Reference)),
                NetTotal = payments.Sum(p => p.Amount),
                Payments = payments,
                CreditNotes = notes,
                Unmatched = unmatched,
                Notes = remarks,
            };
        }
        catch (JunipeerException ex) when (!ex.Retryable)
        {
            return basis with { Outcome = ShadowOutcome.Failed, ErrorCode = ex.Code, Message = ex.Message, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix };
        }
    }

    private static async Task<ShadowCreditNote> CreditNoteAsync(
        Integration integration, IErpSettlements settle, Payout payout, MatchedLine refund, IReadOnlyList<ErpOpenItem> open, CancellationToken ct)
    {
        var reference = PayoutSyncHandler.CreditNoteReference(payout.Provider, refund.Line.RefundKeyId);
        var found = await settle.FindCreditNotesAsync(integration, reference, ct);
        if (found.Count > 1)
            throw new JunipeerException(ErrorCodes.DuplicateInvoiceForOrder, $"{found.Count} credit notes carry refund reference {reference}: {string.Join(", ", found.Select(f => f.Number))}.");
        var amount = -refund.Line.Gross;
        var invoice = await settle.GetInvoiceDocumentAsync(integration, refund.InvoiceNumber!, ct);
        var openItem = open.FirstOrDefault(i => i.Number == refund.InvoiceNumber);
        var apply = openItem is not null && openItem.Balance >= amount;
        var draft = PayoutSyncHandler.CreditNoteFor(invoice, amount, reference, payout, refund, apply);
        return new ShadowCreditNote(reference, refund.Line.Kind.ToString(), refund.Line.RefundKeyId, refund.InvoiceNumber, refund.CustomerNumber, amount,
            payout.Currency, draft.VatZoneId, apply, found.Count == 1 ? found[0].Number : null);
    }
}
